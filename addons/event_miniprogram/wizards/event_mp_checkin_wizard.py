# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class EventMpCheckinWizard(models.TransientModel):
    """Check an attendee in at the desk by the 15-digit code (or the
    content of their QR code), from the back office."""

    _name = "event.mp.checkin.wizard"
    _description = "Check In by Code"

    event_id = fields.Many2one(
        "event.event", string="Activity",
        default=lambda self: self.env.context.get("active_id")
        if self.env.context.get("active_model") == "event.event" else False)
    code = fields.Char(string="Code or QR", required=True)
    registration_id = fields.Many2one(
        "event.registration", string="Sign-up", readonly=True)
    result = fields.Char(readonly=True)

    @api.multi
    def action_check_in(self):
        self.ensure_one()
        Registration = self.env["event.registration"]
        text = self.code.strip()
        registration = Registration._mp_from_qr(text) or Registration.search(
            [("mp_code", "=", text), ("mp_joined", "=", True)], limit=1)
        if not registration or (
                self.event_id and registration.event_id != self.event_id):
            raise UserError(_("No sign-up of this activity has this code."))
        if registration._mp_check_in("backoffice", enforce_window=False):
            result = _("%s is checked in.") % registration.name
        else:
            result = _("%s had already checked in.") % registration.name
        self.write({"registration_id": registration.id, "result": result,
                    "code": ""})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
