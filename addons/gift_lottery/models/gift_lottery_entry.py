# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models

#: Result messages queued per cron run.
NOTIFY_BATCH = 500


class GiftLotteryEntry(models.Model):
    """One person in one lottery (free). Their ticket is public: it
    appears in the frozen joiner list that the draw ranks."""

    _name = "gift.lottery.entry"
    _description = "Gift Lottery Joiner"
    _order = "lottery_id desc, sequence"
    _rec_name = "ticket"

    lottery_id = fields.Many2one(
        "gift.lottery", string="Lottery", required=True, readonly=True,
        ondelete="cascade", index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Joiner", required=True, readonly=True,
        index=True)
    sequence = fields.Integer(
        string="Join No.", required=True, readonly=True)
    ticket = fields.Char(required=True, readonly=True)
    rank = fields.Integer(readonly=True, help="Place in the draw.")
    state = fields.Selection([
        ("waiting", "Waiting for the Draw"),
        ("won", "Won"),
        ("lost", "Not Drawn"),
        ("lapsed", "Won, Not Claimed"),
    ], default="waiting", required=True, readonly=True, index=True)
    notify = fields.Boolean(
        string="Wants the Result", readonly=True,
        help="Accepted the result message when joining.")
    notified = fields.Boolean(readonly=True, index=True)

    _sql_constraints = [
        ("partner_unique", "unique(lottery_id, partner_id)",
         "One entry per person and lottery."),
        ("ticket_unique", "unique(lottery_id, ticket)",
         "Tickets are unique in a lottery."),
        ("sequence_unique", "unique(lottery_id, sequence)",
         "Join numbers are unique in a lottery."),
    ]

    @api.model
    def _cron_notify_results(self, limit=NOTIFY_BATCH):
        """Queue the result messages of drawn lotteries to the joiners
        who asked for them; bounded, each entry once."""
        entries = self.search([
            ("notify", "=", True), ("notified", "=", False),
            ("state", "in", ("won", "lost"))], limit=limit, order="id")
        for entry in entries:
            won = entry.state == "won"
            entry.lottery_id._notify(
                entry.partner_id, "gift_won" if won else "gift_lost",
                _("Won") if won else _("Not drawn"),
                _("Claim your gift") if won else _("Thanks for joining"))
        entries.write({"notified": True})
        return len(entries)
