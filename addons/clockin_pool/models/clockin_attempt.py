# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models

from odoo.addons.base_wechat_miniprogram.tools import run_in_new_transaction

REASONS = [
    ("ok", "Clocked In"),
    ("too_early", "Too Early"),
    ("too_late", "Too Late"),
    ("not_joined", "Not Joined"),
    ("already", "Already Clocked In"),
    ("risk_blocked", "Blocked by Risk Check"),
]


class ClockinAttempt(models.Model):
    """Every clock-in attempt, with its outcome: the refused ones are
    written in a transaction of their own, so they stay logged although
    the request answers an error (and rolls back)."""

    _name = "clockin.attempt"
    _description = "Clock-in Attempt"
    _order = "id desc"
    _rec_name = "result"

    partner_id = fields.Many2one("res.partner", string="User",
                                 required=True, readonly=True, index=True)
    round_id = fields.Many2one("clockin.round", string="Round",
                               readonly=True, index=True)
    company_id = fields.Many2one("res.company", readonly=True)
    at = fields.Datetime(required=True, readonly=True)
    result = fields.Selection(REASONS, required=True, readonly=True,
                              index=True)
    risk_rank = fields.Integer(readonly=True)

    @api.model
    def _reason_text(self, reason):
        return {
            "too_early": _("The clock-in window has not opened yet."),
            "too_late": _("The clock-in window has closed."),
            "not_joined": _("You have not joined today's round."),
            "already": _("You have clocked in already."),
        }.get(reason, _("You cannot clock in now."))

    @api.model
    def _log(self, partner, rnd, result, rank=None, at=None):
        values = [partner.id, rnd.id or None,
                  rnd.company_id.id or partner.company_id.id or None,
                  at or fields.Datetime.now(), result, rank, self.env.uid]
        query = """
            INSERT INTO clockin_attempt (partner_id, round_id, company_id,
                at, result, risk_rank, create_uid, write_uid, create_date,
                write_date)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s,
                    now() at time zone 'UTC', now() at time zone 'UTC')"""
        values.append(self.env.uid)
        if result == "ok":
            self.env.cr.execute(query, values)
            return True
        return run_in_new_transaction(
            self.env.registry, lambda cr: cr.execute(query, values))
