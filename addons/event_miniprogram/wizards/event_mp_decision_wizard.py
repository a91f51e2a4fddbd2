# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class EventMpDecisionWizard(models.TransientModel):
    """Reject or cancel mini-program sign-ups with a reason; both refund
    what was paid in full.

    The sign-ups and the decision are fields of the wizard, not context:
    Odoo 11 replays an RPC that lost a race for a row without its context.
    """

    _name = "event.mp.decision.wizard"
    _description = "Reject or Cancel Sign-ups"

    mode = fields.Selection([
        ("reject", "Reject"),
        ("cancel", "Cancel"),
    ], string="Decision", required=True,
        default=lambda self: self.env.context.get(
        "mp_decision", "reject"))
    registration_ids = fields.Many2many(
        "event.registration", string="Sign-ups", required=True,
        default=lambda self: [(6, 0, self.env.context.get(
            "active_ids", []))])
    reason_id = fields.Many2one(
        "event.registration.cancel.reason", string="Reason")
    note = fields.Char(
        string="Message to the User", size=20,
        help="Sent in the subscribe message (20 characters at most).")

    @api.multi
    def action_confirm(self):
        self.ensure_one()
        for registration in self.registration_ids:
            if self.mode == "reject":
                registration._mp_reject(self.reason_id, self.note)
            else:
                registration._mp_cancel_by_staff(self.reason_id, self.note)
        return {"type": "ir.actions.act_window_close"}
