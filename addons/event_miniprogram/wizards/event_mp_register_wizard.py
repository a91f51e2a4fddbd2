# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base_wechat_miniprogram.exceptions import MpApiError


class EventMpRegisterWizard(models.TransientModel):
    """Sign a user up on their behalf (by phone, at the desk).

    The same rules as the mini-program (capacity, one sign-up per user),
    except that staff may still add people after the deadline, the
    sign-up needs no review, and a fee is owed offline.
    """

    _name = "event.mp.register.wizard"
    _description = "Add a Sign-up"

    event_id = fields.Many2one(
        "event.event", string="Activity", required=True,
        default=lambda self: self.env.context.get("active_id")
        if self.env.context.get("active_model") == "event.event" else False)
    partner_id = fields.Many2one("res.partner", string="User",
                                 required=True)

    @api.multi
    def action_register(self):
        self.ensure_one()
        try:
            registration, _payment = self.event_id._mp_join(
                self.partner_id, {}, on_behalf=True)
        except MpApiError as error:
            raise UserError(error.message)
        except ValueError as error:
            raise UserError(str(error))
        registration.message_post(body=_("Signed up by %s.")
                                  % self.env.user.name)
        return {"type": "ir.actions.act_window_close"}
