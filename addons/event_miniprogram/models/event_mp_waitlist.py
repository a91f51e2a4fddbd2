# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import _, api, fields, models

from odoo.addons.base_wechat_miniprogram.exceptions import MpConflict


class EventMpWaitlist(models.Model):
    """A user waiting for a seat of a full activity.

    When a seat frees, the first waiting user is offered it for the
    activity's offer time: the seat is kept for them (it counts as taken
    for everybody else) until they join or the offer lapses; then the
    next one is offered it.
    """

    _name = "event.mp.waitlist"
    _description = "Activity Waitlist Entry"
    _order = "create_date, id"

    event_id = fields.Many2one(
        "event.event", string="Activity", required=True, index=True,
        ondelete="cascade", readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="User", required=True, readonly=True,
        ondelete="cascade")
    state = fields.Selection([
        ("waiting", "Waiting"),
        ("offered", "Seat Offered"),
        ("joined", "Joined"),
        ("expired", "Offer Lapsed"),
        ("cancelled", "Cancelled"),
    ], default="waiting", required=True, readonly=True, index=True)
    offered_at = fields.Datetime(readonly=True)
    offer_expires_at = fields.Datetime(readonly=True, index=True)

    @api.model_cr
    def init(self):
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS event_mp_waitlist_active_uniq "
            "ON event_mp_waitlist (event_id, partner_id) "
            "WHERE state IN ('waiting', 'offered')")

    @api.model
    def _mp_enter(self, event, partner):
        """Put ``partner`` on ``event``'s waitlist (under the activity's
        lock, taken by the caller)."""
        if not event.mp_waitlist:
            raise MpConflict(_("This activity is full."), "full")
        if event._mp_active_registration(partner):
            raise MpConflict(_("You have already signed up."),
                             "already_joined")
        entry = self.search([("event_id", "=", event.id),
                             ("partner_id", "=", partner.id),
                             ("state", "in", ("waiting", "offered"))])
        if entry:
            return entry
        entry = self.create({"event_id": event.id, "partner_id": partner.id})
        # A seat may be free already (an offer lapsed meanwhile).
        event._mp_offer_free_seats()
        return entry

    @api.multi
    def _mp_offer(self):
        """Offer the seat and tell the user by subscribe message."""
        now = datetime.datetime.utcnow()
        for entry in self:
            event = entry.event_id
            expires = now + datetime.timedelta(
                minutes=event.mp_waitlist_offer_minutes)
            entry.write({
                "state": "offered",
                "offered_at": fields.Datetime.to_string(now),
                "offer_expires_at": fields.Datetime.to_string(expires),
            })
            event._mp_notify(entry.partner_id, "event_waitlist_offer",
                             _("A seat is free for you"),
                             _("Sign up before %s") %
                             entry.partner_id._mp_iso(entry.offer_expires_at)
                             [11:16])
        return True

    @api.model
    def _cron_expire_offers(self, limit=500):
        """Lapse offers past their time and offer those seats to the next
        users. Bounded; each activity under its own lock."""
        lapsed = self.search([
            ("state", "=", "offered"),
            ("offer_expires_at", "<=", fields.Datetime.now()),
        ], limit=limit)
        for event in lapsed.mapped("event_id"):
            event._mp_lock()
            entries = lapsed.filtered(lambda e: e.event_id == event)
            entries.invalidate_cache(ids=entries.ids)
            entries.filtered(lambda e: e.state == "offered").write(
                {"state": "expired"})
            event._mp_offer_free_seats()
        return len(lapsed)

    @api.multi
    def action_cancel(self):
        self.filtered(lambda e: e.state in ("waiting", "offered")).write(
            {"state": "cancelled"})
        return True
