# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class EventMpRefundRule(models.Model):
    """A step of an activity's refund schedule: cancelling at least
    ``days_before`` days before the start refunds ``percent`` of what
    was paid (the best step that applies wins)."""

    _name = "event.mp.refund.rule"
    _description = "Refund Schedule Step"
    _order = "days_before desc, id"

    event_id = fields.Many2one(
        "event.event", string="Activity", required=True, ondelete="cascade",
        index=True)
    days_before = fields.Integer(
        string="Days Before Start", required=True,
        help="The step applies while the start is at least this many days "
             "away (0: until the start).")
    percent = fields.Integer(string="Refund (%)", required=True)

    @api.constrains("days_before", "percent")
    def _check_values(self):
        for rule in self:
            if rule.days_before < 0 or not 0 <= rule.percent <= 100:
                raise ValidationError(_(
                    "A refund step needs 0 or more days and a percentage "
                    "from 0 to 100."))
