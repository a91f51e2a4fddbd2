# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


def session_state(values, now):
    """A session's state at ``now`` (UTC string) from its ``values``."""
    if values["cancelled"]:
        return "cancelled"
    if now < values["preview_start"]:
        return "not_started"
    if now < values["bidding_start"]:
        return "preview"
    if now < values["last_end"]:
        return "bidding"
    return "ended"


class AuctionSession(models.Model):
    """An auction session (专场): lots previewed, then bid on, on one
    schedule.

    Its state is derived from the times at request time; the lots end on
    their own times (soft close can extend them past the session's end).
    """

    _name = "auction.session"
    _description = "Auction Session"
    _inherit = ["mail.thread"]
    _order = "bidding_start desc, id desc"

    name = fields.Char(string="Title", required=True, translate=True,
                       track_visibility="onchange")
    company_id = fields.Many2one(
        "res.company", required=True, index=True,
        default=lambda self: self.env.user.company_id)
    published = fields.Boolean(
        help="Shown in the mini-program.", track_visibility="onchange")
    cancelled = fields.Boolean(readonly=True, copy=False,
                               track_visibility="onchange")
    cover = fields.Binary(attachment=True)
    video_url = fields.Char(string="Video URL")
    description = fields.Html()
    preview_start = fields.Datetime(required=True)
    preview_end = fields.Datetime(required=True)
    bidding_start = fields.Datetime(required=True)
    bidding_end = fields.Datetime(required=True)
    deposit_fen = fields.Integer(
        string="Session Deposit (fen)", default=100000,
        help="Covers bidding on every lot of the session. 0: no session "
             "deposit (lots' own deposits only).")
    premium_percent = fields.Float(
        string="Buyer's Premium (%)", digits=(5, 2), default=0.0)
    soft_close_minutes = fields.Integer(
        string="Soft Close Window (minutes)", default=5,
        help="A bid this close to a lot's end extends the lot.")
    extend_minutes = fields.Integer(string="Extension (minutes)", default=5)
    extend_cap_minutes = fields.Integer(
        string="Extension Cap (minutes)", default=0,
        help="The most a lot can be extended in total; 0: no cap.")
    payment_hours = fields.Integer(
        string="Payment Deadline (hours)", default=24,
        help="Winners pay within this time after their lot ends.")
    second_chance = fields.Boolean(
        string="Second-Chance Offers",
        help="When a winner does not pay, offer the lot to the next "
             "highest bidder at their bid.")
    lot_ids = fields.One2many("auction.lot", "session_id", string="Lots",
                              copy=True)
    increment_ids = fields.One2many(
        "auction.increment", "session_id", string="Increment Ladder",
        copy=True)
    state = fields.Selection([
        ("not_started", "Not Started"),
        ("preview", "Preview"),
        ("bidding", "Bidding"),
        ("ended", "Ended"),
        ("cancelled", "Cancelled"),
    ], compute="_compute_state")
    lot_count = fields.Integer(string="Lots", compute="_compute_figures")
    bid_count = fields.Integer(string="Bids", compute="_compute_figures")
    view_count = fields.Integer(string="Views", compute="_compute_figures")
    turnover_fen = fields.Integer(
        string="Turnover (fen)", compute="_compute_figures",
        help="Hammer prices of the lots sold.")

    def _compute_state(self):
        now = fields.Datetime.now()
        last_ends = self._last_lot_end()
        for session in self:
            session.state = session_state({
                "cancelled": session.cancelled,
                "preview_start": session.preview_start,
                "bidding_start": session.bidding_start,
                "last_end": max(session.bidding_end,
                                last_ends.get(session.id) or ""),
            }, now)

    def _compute_figures(self):
        figures = {}
        if self.ids:
            self.env.cr.execute("""
                SELECT lot.session_id, count(*),
                       COALESCE(sum(lot.bid_count), 0),
                       COALESCE(sum((SELECT sum(v.count)
                                     FROM auction_lot_view v
                                     WHERE v.lot_id = lot.id)), 0),
                       COALESCE(sum(lot.hammer_fen) FILTER (
                           WHERE lot.result = 'sold'), 0)
                FROM auction_lot lot WHERE lot.session_id IN %s
                GROUP BY lot.session_id""", (tuple(self.ids),))
            figures = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        for session in self:
            (session.lot_count, session.bid_count, session.view_count,
             session.turnover_fen) = figures.get(session.id, (0, 0, 0, 0))

    @api.multi
    def _last_lot_end(self):
        """The latest end of each session's lots (soft close moves it)."""
        if not self.ids:
            return {}
        self.env.cr.execute(
            "SELECT session_id, max(end_at) FROM auction_lot "
            "WHERE session_id IN %s GROUP BY session_id", (tuple(self.ids),))
        # Odoo's cursor gives timestamps as strings.
        return dict(self.env.cr.fetchall())

    @api.constrains("preview_start", "preview_end", "bidding_start",
                    "bidding_end", "premium_percent", "payment_hours")
    def _check_schedule(self):
        for session in self:
            if not (session.preview_start <= session.preview_end <=
                    session.bidding_end and session.preview_start <=
                    session.bidding_start < session.bidding_end):
                raise ValidationError(_(
                    "The preview starts first, bidding starts before it "
                    "ends, and the preview ends by the end of bidding."))
            if not 0 <= session.premium_percent <= 100 or \
                    session.payment_hours < 1:
                raise ValidationError(_(
                    "The premium is 0 to 100 % and winners get at least "
                    "one hour to pay."))

    @api.multi
    def action_publish(self):
        self.write({"published": True})
        return True

    @api.multi
    def action_cancel(self):
        """Cancel the session: no more bids, every deposit goes back."""
        for session in self:
            if session.state == "ended":
                raise UserError(_("An ended session cannot be cancelled."))
            session.cancelled = True
            self.env["auction.deposit"].search([
                ("session_id", "=", session.id),
                ("state", "=", "paid")])._release(_("Session cancelled"))
        return True

    @api.multi
    def _premium_fen(self, hammer_fen):
        """The buyer's premium on ``hammer_fen``, rounded half up."""
        self.ensure_one()
        return int(hammer_fen * self.premium_percent / 100.0 + 0.5)
