# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ResPartner(models.Model):
    """A clock-in user's reminder switch and streaks.

    The streak is kept on the partner, updated by the clock-in itself (one
    statement on the user's own row), so the leaderboard reads an indexed
    column instead of walking every user's history.
    """

    _inherit = "res.partner"

    clockin_remind = fields.Boolean(
        string="Clock-in Reminder", default=True,
        help="Remind before the window (needs a subscribe consent).")
    clockin_streak = fields.Integer(
        string="Clock-in Streak", readonly=True,
        help="Days in a row with a clock-in, up to the last one.")
    clockin_best_streak = fields.Integer(
        string="Best Clock-in Streak", readonly=True, index=True)
    clockin_last_day = fields.Date(
        string="Last Clock-in Day", readonly=True)

    @api.multi
    def _clockin_count_day(self, day, yesterday):
        """A clock-in on ``day`` (local): the streak goes on when the last
        one was ``yesterday``, else starts again."""
        self.ensure_one()
        query = """
            UPDATE res_partner SET
                clockin_streak = CASE WHEN clockin_last_day = %(yesterday)s
                    THEN COALESCE(clockin_streak, 0) + 1
                    WHEN clockin_last_day = %(day)s
                    THEN clockin_streak ELSE 1 END,
                clockin_last_day = %(day)s
            WHERE id = %(id)s"""
        self.env.cr.execute(query, {"day": day, "yesterday": yesterday,
                                    "id": self.id})
        self.env.cr.execute("""
            UPDATE res_partner SET clockin_best_streak = clockin_streak
            WHERE id = %s AND COALESCE(clockin_best_streak, 0)
                < clockin_streak""", [self.id])
        self.invalidate_cache(["clockin_streak", "clockin_best_streak",
                               "clockin_last_day"], self.ids)
