# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.base_wechat_miniprogram.exceptions import (
    MpConflict, MpForbidden)
from odoo.addons.payment_wechatpay.tools import lock_row, process_each

#: Proxy rounds resolved after one bid at most (each settles two proxies).
PROXY_ROUNDS = 20


class AuctionLot(models.Model):
    """A lot (拍品) of a session.

    Bids are decided under the lot's row lock (``_place_bid``), which
    also applies the soft close. ``current_fen``, ``top_bid_id`` and
    ``bid_count`` are written only there. The lot ends at ``end_at``;
    the ending cron then records the result (sold, unsold) and makes the
    winner's order.
    """

    _name = "auction.lot"
    _description = "Auction Lot"
    _inherit = ["mail.thread"]
    _order = "session_id, sequence, id"

    session_id = fields.Many2one(
        "auction.session", string="Session", required=True, index=True,
        ondelete="cascade")
    company_id = fields.Many2one(related="session_id.company_id",
                                 store=True, readonly=True)
    sequence = fields.Integer(default=10)
    catalogue_no = fields.Char(string="Catalogue No.", required=True)
    name = fields.Char(string="Title", required=True, translate=True)
    description = fields.Html()
    image_ids = fields.One2many("auction.lot.image", "lot_id",
                                string="Images", copy=True)
    spec_ids = fields.One2many("auction.lot.spec", "lot_id",
                               string="Specifications", copy=True)
    start_fen = fields.Integer(string="Start Price (fen)", required=True)
    reserve_fen = fields.Integer(
        string="Reserve Price (fen)",
        help="Below it the lot is not sold. 0: no reserve.")
    reference_high_fen = fields.Integer(string="Reference High (fen)")
    deposit_fen = fields.Integer(
        string="Lot Deposit (fen)",
        help="A deposit on this lot alone lets a bidder bid on it. 0: "
             "only the session deposit.")
    end_at = fields.Datetime(
        string="Ends At", copy=False, index=True,
        help="The session's end, moved by soft close.")
    extended_minutes = fields.Integer(readonly=True, copy=False)
    view_count = fields.Integer(string="Views", compute="_compute_views")
    bid_ids = fields.One2many("auction.bid", "lot_id", string="Bids",
                              readonly=True)
    bid_count = fields.Integer(string="Bids", readonly=True, copy=False)
    current_fen = fields.Integer(
        string="Current Price (fen)", readonly=True, copy=False)
    top_bid_id = fields.Many2one("auction.bid", string="Highest Bid",
                                 readonly=True, copy=False)
    result = fields.Selection([
        ("sold", "Sold"),
        ("unsold", "Unsold"),
        ("overdue", "Overdue"),
    ], readonly=True, copy=False, index=True)
    withdrawn = fields.Boolean(readonly=True, copy=False,
                               help="Taken out of the sale by staff.")
    hammer_fen = fields.Integer(string="Hammer Price (fen)", readonly=True,
                                copy=False)
    winner_id = fields.Many2one("res.partner", string="Winner",
                                readonly=True, copy=False)
    order_id = fields.Many2one("sale.order", string="Winner's Order",
                               readonly=True, copy=False)
    state = fields.Selection([
        ("pending", "Pending"),
        ("preview", "Preview"),
        ("bidding", "Bidding"),
        ("sold", "Sold"),
        ("unsold", "Unsold"),
        ("overdue", "Overdue"),
    ], compute="_compute_state")

    _sql_constraints = [
        ("catalogue_uniq", "unique(session_id, catalogue_no)",
         "Catalogue numbers are unique within a session."),
        ("prices_positive",
         "CHECK(start_fen > 0 AND reserve_fen >= 0 AND deposit_fen >= 0)",
         "The start price is above zero; the reserve and the deposit are "
         "zero or more."),
    ]

    def _compute_views(self):
        views = self.env["auction.lot.view"]._count_by_lot(self)
        for lot in self:
            lot.view_count = views.get(lot.id, 0)

    def _compute_state(self):
        now = fields.Datetime.now()
        for lot in self:
            lot.state = lot._state_at(now)

    @api.model
    def create(self, vals):
        lot = super(AuctionLot, self).create(vals)
        if not lot.end_at:
            lot.end_at = lot.session_id.bidding_end
        return lot

    @api.constrains("start_fen", "reserve_fen")
    def _check_prices(self):
        for lot in self:
            if lot.reserve_fen and lot.reserve_fen < lot.start_fen:
                raise ValidationError(_(
                    "The reserve cannot be below the start price."))

    # -- state -----------------------------------------------------------

    @api.multi
    def _state_at(self, now):
        self.ensure_one()
        session = self.session_id
        if self.result:
            return self.result
        if session.cancelled:
            return "unsold"
        if now < session.preview_start:
            return "pending"
        if now < session.bidding_start:
            return "preview"
        if now < self.end_at:
            return "bidding"
        # Ended; the cron has not recorded it yet.
        return "sold" if self._winning_bid() else "unsold"

    @api.multi
    def _winning_bid(self):
        """The highest bid if it meets the reserve."""
        self.ensure_one()
        top = self.top_bid_id
        if top and top.amount_fen >= (self.reserve_fen or 0):
            return top
        return self.env["auction.bid"]

    @api.multi
    def _min_next_fen(self, ladder=None):
        """The least the next bid may be (``ladder``: the session's, when
        the caller has it already)."""
        self.ensure_one()
        if not self.top_bid_id:
            return self.start_fen
        if ladder is None:
            ladder = self.env["auction.increment"]._ladder(self.session_id)
        return self.current_fen + self.env["auction.increment"] \
            ._increment_at(ladder, self.current_fen)

    # -- bidding ---------------------------------------------------------

    @api.multi
    def _lock(self):
        self.ensure_one()
        lock_row(self.env.cr, self._table, self.id)
        self.invalidate_cache(ids=self.ids)

    @api.multi
    def _place_bid(self, partner, amount_fen, client_key, max_fen=None,
                   notices=None):
        """Decide a bid of ``partner`` under the lot's lock.

        Same ``client_key`` again: the first answer, nothing new. 409 when
        the lot is not open, the amount is too low or the bidder leads
        already; 403 without a covering deposit or when barred. With
        ``max_fen`` the bidder also leaves a hidden maximum that bids for
        them. Returns the bid. The outbid are told at once, or, with a
        ``notices`` list, added to it as ``(partner id, price)`` for the
        caller to tell after the commit (the lock is held for less).
        """
        self.ensure_one()
        previous = self._bid_of_key(partner, client_key)
        if previous:
            return previous
        # Checked before queueing for the lot's lock (the state again
        # under it): a closed lot, a bidder without deposit.
        if self._state_at(fields.Datetime.now()) != "bidding":
            raise MpConflict(_("This lot is not open for bids."), "closed")
        self._check_bidder(partner)
        self._lock()
        previous = self._bid_of_key(partner, client_key)
        if previous:
            return previous
        now = fields.Datetime.now()
        if self._state_at(now) != "bidding":
            raise MpConflict(_("This lot is not open for bids."), "closed")
        if self.top_bid_id.partner_id == partner:
            raise MpConflict(_("You are already the highest bidder."),
                             "leading")
        minimum = self._min_next_fen()
        if amount_fen < minimum:
            raise MpConflict(
                _("The bid must be at least %s CNY.") % (minimum / 100.0),
                "too_low")
        if max_fen:
            if max_fen < amount_fen:
                raise ValidationError(_(
                    "The maximum cannot be below the bid."))
            self.env["auction.proxy"]._set(self, partner, max_fen)
        outbid = [] if notices is None else notices
        bid = self._record_bid(partner, amount_fen, client_key,
                               notices=outbid)
        self._run_proxies(outbid)
        self._soft_close(now)
        if notices is None:
            self._tell_outbid(outbid)
        return bid

    @api.multi
    def _bid_of_key(self, partner, client_key):
        """The bid a request with this key made already (a retry)."""
        self.ensure_one()
        previous = self.env["auction.bid"].search([
            ("partner_id", "=", partner.id),
            ("client_key", "=", client_key)], limit=1)
        if previous and previous.lot_id != self:
            raise MpConflict(_("This request key was used for another "
                               "lot."), "key_reused")
        return previous

    @api.multi
    def _tell_outbid(self, notices):
        """Message each outbid bidder once, with the price that beat
        them last."""
        self.ensure_one()
        last = {}
        for partner_id, price in notices:
            last[partner_id] = price
        for partner_id, price in last.items():
            self._notify(self.env["res.partner"].browse(partner_id),
                         "auction_outbid", _("Outbid"),
                         "%.2f" % (price / 100.0))

    @api.multi
    def _check_bidder(self, partner):
        """403 unless ``partner`` may bid here: not barred, and holding a
        paid deposit on this lot or its session."""
        self.ensure_one()
        if partner._auction_barred(self.company_id):
            raise MpForbidden(_("Bidding is closed to you after unpaid "
                                "wins."), "barred")
        if not self.env["auction.deposit"]._covering(partner, self):
            raise MpForbidden(_("Pay the deposit before bidding."),
                              "no_deposit")

    @api.multi
    def _record_bid(self, partner, amount_fen, client_key=None,
                    proxy=False, notices=None):
        """Record an accepted bid (under the lock) and make it the lot's
        current price; the outbid bidder goes to ``notices``."""
        self.ensure_one()
        bid = self.env["auction.bid"].sudo().create({
            "lot_id": self.id,
            "partner_id": partner.id,
            "amount_fen": amount_fen,
            "client_key": client_key,
            "proxy": proxy,
        })
        outbid = self.top_bid_id.partner_id
        # Written only here, under the lock (bidders have no write right),
        # in one statement: the lock is what every bidder waits for.
        self.env.cr.execute(
            "UPDATE auction_lot SET current_fen = %s, top_bid_id = %s, "
            "bid_count = COALESCE(bid_count, 0) + 1 WHERE id = %s",
            (amount_fen, bid.id, self.id))
        self.invalidate_cache(["current_fen", "top_bid_id", "bid_count"],
                              self.ids)
        if outbid and outbid != partner and notices is not None:
            notices.append((outbid.id, amount_fen))
        return bid.with_env(self.env)

    @api.multi
    def _run_proxies(self, notices):
        """Let hidden maximums bid: each round, the best challenger's
        proxy meets the leader's; the higher maximum leads at the least
        needed (the other maximum plus one increment, within its own), a
        tie goes to the earlier proxy. Each round ends one proxy."""
        self.ensure_one()
        Proxy = self.env["auction.proxy"]
        Increment = self.env["auction.increment"]
        ladder = Increment._ladder(self.session_id)
        for _round in range(PROXY_ROUNDS):
            leader = self.top_bid_id.partner_id
            price = self.current_fen
            minimum = price + Increment._increment_at(ladder, price)
            challenger = Proxy.search([
                ("lot_id", "=", self.id), ("active", "=", True),
                ("partner_id", "!=", leader.id),
                ("max_fen", ">=", minimum),
            ], order="max_fen desc, id", limit=1)
            if not challenger:
                return
            defender = Proxy.search([
                ("lot_id", "=", self.id), ("active", "=", True),
                ("partner_id", "=", leader.id),
                ("max_fen", ">", price)], limit=1)
            if not defender:
                self._record_bid(challenger.partner_id, minimum, proxy=True,
                                 notices=notices)
                continue
            defender_holds = defender.max_fen > challenger.max_fen or (
                defender.max_fen == challenger.max_fen and
                defender.id < challenger.id)
            winner, loser = (defender, challenger) if defender_holds \
                else (challenger, defender)
            final = min(winner.max_fen, loser.max_fen + Increment
                        ._increment_at(ladder, loser.max_fen))
            # The passed maximum is shown when it was beaten, not tied.
            if price < loser.max_fen < final:
                self._record_bid(loser.partner_id, loser.max_fen,
                                 proxy=True, notices=notices)
            loser.sudo().active = False  # proxies change only here
            self._record_bid(winner.partner_id, final, proxy=True,
                             notices=notices)

    @api.multi
    def _soft_close(self, now):
        """A bid within the last minutes extends the lot, within the
        cap."""
        self.ensure_one()
        session = self.session_id
        end = fields.Datetime.from_string(self.end_at)
        current = fields.Datetime.from_string(now)
        window = datetime.timedelta(minutes=session.soft_close_minutes)
        if not session.soft_close_minutes or end - current > window:
            return False
        minutes = session.extend_minutes
        if session.extend_cap_minutes:
            minutes = min(minutes, session.extend_cap_minutes -
                          self.extended_minutes)
        if minutes <= 0:
            return False
        self.env.cr.execute(
            "UPDATE auction_lot SET end_at = %s, extended_minutes = "
            "COALESCE(extended_minutes, 0) + %s WHERE id = %s",
            (fields.Datetime.to_string(
                end + datetime.timedelta(minutes=minutes)), minutes,
             self.id))
        self.invalidate_cache(["end_at", "extended_minutes"], self.ids)
        return True

    @api.multi
    def _notify(self, partner, event_code, status, note):
        """Queue a subscribe message about this lot (sent only with the
        user's consent). The system's message, whoever triggers it."""
        self.ensure_one()
        return self.env["mp.subscribe.message"].sudo()._enqueue(
            partner, event_code, {
                "thing1": {"value": self.name[:20]},
                "phrase2": {"value": status[:5]},
                "thing3": {"value": (note or "-")[:20]},
            }, page="pages/lot/detail?id=%d" % self.id)

    @api.multi
    def _second_chance(self, defaulter):
        """Offer the lot to the best other bidder at their own highest
        bid (a new order with a new deadline), if one may still bid."""
        self.ensure_one()
        bids = self.bid_ids.filtered(
            lambda bid: bid.partner_id != defaulter and
            bid.amount_fen >= (self.reserve_fen or 0) and
            not bid.partner_id._auction_barred(self.company_id))
        if not bids:
            return False
        best = bids.sorted(lambda bid: (-bid.amount_fen, bid.id))[0]
        self.write({"result": "sold", "hammer_fen": best.amount_fen,
                    "winner_id": best.partner_id.id})
        self.order_id = self.env["sale.order"]._auction_winner_order(self)
        self._notify(best.partner_id, "auction_won", _("Won"),
                     _("Second chance"))
        return True

    # -- ending ----------------------------------------------------------

    @api.multi
    def action_withdraw(self):
        """Take lots out of the sale before they end: unsold, their lot
        deposits refunded (bids stay on record)."""
        for lot in self:
            lot._lock()
            if lot.result:
                raise UserError(_("Lot %s has ended already.")
                                % lot.catalogue_no)
            lot.write({"result": "unsold", "withdrawn": True})
            self.env["auction.deposit"].search([
                ("lot_id", "=", lot.id), ("state", "=", "paid"),
            ])._release(_("Lot %s withdrawn") % lot.catalogue_no)
        return True

    @api.model
    def _cron_end_lots(self, limit=200, auto_commit=True):
        """Record the result of lots past their end, each once, in
        bounded batches, one transaction per lot: the highest bid meeting
        the reserve wins and gets an order to pay; lot deposits of the
        others go back. A lot another server holds is skipped."""
        lots = self.search([
            ("result", "=", False), ("end_at", "<=", fields.Datetime.now()),
            ("session_id.cancelled", "=", False),
        ], order="end_at, id", limit=limit)

        def end(lot):
            if lock_row(self.env.cr, self._table, lot.id, skip_locked=True):
                lot.invalidate_cache(ids=lot.ids)
                lot._end()
        process_each(lots, end, auto_commit=auto_commit)
        return len(lots)

    @api.multi
    def _end(self):
        self.ensure_one()
        if self.result or fields.Datetime.now() < self.end_at:
            return False
        bid = self._winning_bid()
        if bid:
            self.write({"result": "sold", "hammer_fen": bid.amount_fen,
                        "winner_id": bid.partner_id.id})
            self.order_id = self.env["sale.order"]._auction_winner_order(self)
            self._notify(bid.partner_id, "auction_won", _("Won"),
                         "%.2f" % (bid.amount_fen / 100.0))
        else:
            self.write({"result": "unsold"})
        self.env["auction.deposit"].search([
            ("lot_id", "=", self.id), ("state", "=", "paid"),
            ("partner_id", "!=", self.winner_id.id),
        ])._release(_("Lot %s ended") % self.catalogue_no)
        return True
