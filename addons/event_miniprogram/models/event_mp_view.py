# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class EventMpView(models.Model):
    """Who viewed an activity on which (local) day: one row per user per
    day, so a user's repeated views count once a day."""

    _name = "event.mp.view"
    _description = "Activity View"
    _log_access = False

    event_id = fields.Many2one(
        "event.event", required=True, ondelete="cascade", index=True)
    partner_id = fields.Many2one(
        "res.partner", required=True, ondelete="cascade")
    day = fields.Date(required=True)

    _sql_constraints = [
        ("event_partner_day_uniq", "unique(event_id, partner_id, day)",
         "One view per user per day."),
    ]

    @api.model
    def _record(self, event, partner, day):
        """Count ``partner``'s view of ``event`` on ``day`` once; True if
        it was the first that day.

        The count is the number of rows (``event.event.mp_view_count``):
        an insert that ignores a duplicate, and no counter on the activity
        row, which every viewer of a popular activity would otherwise
        fight over.
        """
        cr = self.env.cr
        cr.execute(
            "INSERT INTO event_mp_view (event_id, partner_id, day) "
            "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
            (event.id, partner.id, day))
        return bool(cr.fetchone())

    @api.model
    def _count_by_event(self, events):
        if not events:
            return {}
        self.env.cr.execute(
            "SELECT event_id, count(*) FROM event_mp_view "
            "WHERE event_id IN %s GROUP BY event_id", (tuple(events.ids),))
        return dict(self.env.cr.fetchall())
