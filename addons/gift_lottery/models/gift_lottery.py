# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
import hashlib
import secrets

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base_wechat_miniprogram.exceptions import (
    MpBadRequest, MpConflict)
from odoo.addons.payment_wechatpay.money import fen_to_yuan, format_fen
from odoo.addons.payment_wechatpay.tools import lock_row, process_each

from ..draw import rank_tickets, ranking_sql, tickets_hash

#: How long a buyer has to pay a lottery's order.
PAY_MINUTES = 15
#: Furthest a draw time or deadline may be set.
MAX_DAYS = 30
WISH_LENGTH = 50
METHODS = [
    ("timed", "Timed Draw"),
    ("full", "Draw When Full"),
    ("direct", "Direct Gift"),
]


class GiftLottery(models.Model):
    """A buyer's paid gifts shared as a lottery (送礼抽奖).

    The buyer pays an order of N items; each item is one prize. Joining is
    free and decided under the lottery's row lock: one entry per person,
    a timed lottery before its time, a full-N lottery up to N joiners
    (the Nth join draws in the same transaction), a direct gift while
    items remain.

    Draws are verifiable: a random seed is committed by its SHA-256 at
    creation; at the draw the joiners' tickets (in join order) are
    frozen and hashed, every joiner is ranked by SHA-256(seed ":"
    ticket), the first N win, and the seed is revealed, so anyone can
    recompute the result (``_verify``).
    """

    _name = "gift.lottery"
    _description = "Gift Lottery"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(
        string="Reference", readonly=True, copy=False, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Buyer", required=True, readonly=True,
        index=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True,
        default=lambda self: self.env.user.company_id)
    currency_id = fields.Many2one(
        related="company_id.currency_id", readonly=True)
    product_id = fields.Many2one(
        "product.product", string="Gift", required=True, readonly=True,
        domain=[("gift_ok", "=", True)])
    quantity = fields.Integer(
        string="Items", required=True, readonly=True,
        help="The number of prizes: one winner per item.")
    item_fen = fields.Integer(
        string="Item Price (fen)", required=True, readonly=True)
    amount_fen = fields.Integer(
        string="Paid (fen)", compute="_compute_amounts", store=True)
    amount = fields.Monetary(
        string="Paid", compute="_compute_amounts", store=True)
    sale_order_id = fields.Many2one(
        "sale.order", string="Order", readonly=True, copy=False)
    wish = fields.Char(readonly=True)
    method = fields.Selection(
        METHODS, string="Draw Method", required=True, readonly=True)
    draw_at = fields.Datetime(
        string="Draw Time", readonly=True,
        help="Timed draws: the draw time, joining closes then.")
    full_count = fields.Integer(
        string="Joiners to Draw", readonly=True,
        help="Full-N draws: drawn the moment this many have joined.")
    deadline = fields.Datetime(
        readonly=True,
        help="Full-N draws and direct gifts: when the lottery closes. "
             "Timed draws close at their draw time.")
    fallback = fields.Selection([
        ("draw", "Draw Among Those Who Joined"),
        ("refund", "Cancel and Refund the Buyer"),
    ], string="If Not Full by the Deadline", default="draw", readonly=True)
    unclaimed = fields.Selection([
        ("next", "Pass to the Next Joiner"),
        ("buyer", "Refund the Buyer"),
    ], string="Unclaimed Prizes", default="next", required=True,
        readonly=True)
    claim_days = fields.Integer(readonly=True)
    share_token = fields.Char(readonly=True, copy=False, index=True)
    seed = fields.Char(
        readonly=True, copy=False, groups="base.group_system",
        help="Secret until the draw.")
    seed_hash = fields.Char(
        string="Seed Hash", readonly=True, copy=False,
        help="SHA-256 of the seed, published when the lottery was "
             "created.")
    revealed_seed = fields.Char(
        string="Revealed Seed", compute="_compute_revealed_seed")
    joiners_hash = fields.Char(
        string="Joiner List Hash", readonly=True, copy=False,
        help="SHA-256 of the tickets of the joiners, one per line in "
             "join order, frozen at the draw.")
    state = fields.Selection([
        ("draft", "Awaiting Payment"),
        ("open", "Open"),
        ("drawn", "Drawn"),
        ("done", "Closed"),
        ("cancel", "Cancelled"),
    ], default="draft", required=True, readonly=True, index=True,
        track_visibility="onchange")
    join_count = fields.Integer(
        string="Joiners", readonly=True, default=0,
        help="Counted under the lottery's lock.")
    given_count = fields.Integer(
        string="Items Given", readonly=True, default=0)
    returned_count = fields.Integer(
        string="Items Returned", readonly=True, default=0)
    refunded_fen = fields.Integer(
        string="Refunded (fen)", readonly=True, default=0)
    drawn_at = fields.Datetime(readonly=True)
    entry_ids = fields.One2many(
        "gift.lottery.entry", "lottery_id", string="Joiners",
        readonly=True)
    prize_ids = fields.One2many(
        "gift.lottery.prize", "lottery_id", string="Prizes", readonly=True)
    claimed_count = fields.Integer(
        string="Claimed", compute="_compute_claims", store=True)
    claim_rate = fields.Float(
        string="Claim Rate (%)", compute="_compute_claims", store=True,
        group_operator="avg")

    _sql_constraints = [
        ("share_token_unique", "unique(share_token)",
         "A share token is used once."),
        ("quantity_positive", "CHECK(quantity > 0)",
         "A lottery has at least one item."),
        ("join_count_bound",
         "CHECK(method <> 'full' OR join_count <= full_count)",
         "A full-N lottery takes at most N joiners."),
        ("given_bound", "CHECK(given_count + returned_count <= quantity)",
         "No more items are given or returned than were bought."),
    ]

    @api.depends("quantity", "item_fen")
    def _compute_amounts(self):
        for lottery in self:
            lottery.amount_fen = lottery.quantity * lottery.item_fen
            lottery.amount = fen_to_yuan(lottery.amount_fen)

    @api.depends("state")
    def _compute_revealed_seed(self):
        for lottery in self:
            lottery.revealed_seed = lottery.sudo().seed \
                if lottery.state in ("drawn", "done") else False

    @api.depends("prize_ids.state", "quantity")
    def _compute_claims(self):
        for lottery in self:
            claimed = len(lottery.prize_ids.filtered(
                lambda p: p.state in ("claimed", "shipped")))
            lottery.claimed_count = claimed
            lottery.claim_rate = 100.0 * claimed / lottery.quantity \
                if lottery.quantity else 0.0

    @api.model
    def create(self, vals):
        # Demo data brings its own seed, so its draws verify.
        seed = vals.get("seed") or secrets.token_hex(32)
        vals = dict(
            vals, seed=seed,
            seed_hash=hashlib.sha256(seed.encode()).hexdigest(),
            share_token=vals.get("share_token") or secrets.token_urlsafe(24),
            name=self.env["ir.sequence"].next_by_code("gift.lottery"))
        # The buyer's lottery is not a conversation of theirs.
        return super(GiftLottery, self.with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True,
        )).create(vals).with_env(self.env)

    # -- creating and paying ---------------------------------------------

    @api.model
    def _mp_create(self, partner, product, quantity, wish, method,
                   draw_at=None, full_count=None, deadline=None,
                   fallback="draw", unclaimed="next"):
        """A buyer's new lottery and the quotation of its items, checked
        against the company's guardrails. ``draw_at`` and ``deadline`` are
        UTC datetimes."""
        company = partner.company_id or self.env.user.company_id
        product = product.sudo()
        if not product.gift_ok or not product.sale_ok or \
                not product.active:
            raise MpBadRequest(_("This product is not a gift."),
                               "not_a_gift")
        if quantity > company.gift_max_items:
            raise MpBadRequest(
                _("At most %d items per lottery.") % company.gift_max_items,
                "too_many_items")
        item_fen = int(round(product.list_price * 100))
        if item_fen <= 0:
            raise MpBadRequest(_("This gift has no price."), "not_a_gift")
        if item_fen > company.gift_prize_cap_fen:
            raise MpBadRequest(
                _("A prize may be worth at most %s CNY.")
                % format_fen(company.gift_prize_cap_fen), "over_prize_cap")
        wish = (wish or "").strip()
        self._gift_check_wish(wish, company)
        now = datetime.datetime.utcnow()
        latest = now + datetime.timedelta(days=MAX_DAYS)
        values = {"method": method}
        if method == "timed":
            if not draw_at or not now < draw_at <= latest:
                raise MpBadRequest(
                    _("The draw time must be within %d days.") % MAX_DAYS,
                    "invalid_draw_at")
            values["draw_at"] = fields.Datetime.to_string(draw_at)
        else:
            deadline = deadline or now + datetime.timedelta(days=1)
            if not now < deadline <= latest:
                raise MpBadRequest(
                    _("The deadline must be within %d days.") % MAX_DAYS,
                    "invalid_deadline")
            values["deadline"] = fields.Datetime.to_string(deadline)
        if method == "full":
            if not full_count or full_count < quantity:
                raise MpBadRequest(
                    _("A full-N draw needs at least as many joiners as "
                      "items."), "invalid_full_count")
            values.update(full_count=full_count, fallback=fallback)
        lottery = self.sudo().create(dict(
            values, partner_id=partner.id, company_id=company.id,
            product_id=product.id, quantity=quantity, item_fen=item_fen,
            wish=wish, claim_days=company.gift_claim_days,
            unclaimed=unclaimed if method != "direct" else "buyer"))
        lottery._make_order()
        return lottery.with_env(self.env)

    @api.model
    def _gift_check_wish(self, wish, company):
        """Hook: refuse a wish the platform may not publish (400). The
        default checks its length and the company's refused words; extend
        it to call WeChat's content check (msgSecCheck)."""
        if len(wish) > WISH_LENGTH:
            raise MpBadRequest(
                _("A wish has at most %d characters.") % WISH_LENGTH,
                "wish_too_long")
        words = (company.gift_wish_banned_words or "").split("\n")
        if any(w.strip() and w.strip() in wish for w in words):
            raise MpBadRequest(_("This wish cannot be published."),
                               "wish_refused")

    @api.multi
    def _make_order(self):
        """The quotation of the items, the buyer's. Sales documents are
        the back office's (superuser); the buyer and the price were
        checked by ``_mp_create``."""
        self.ensure_one()
        order = self.env["sale.order"].sudo()._wechatpay_quotation(
            self.partner_id, self.company_id,
            [(self.product_id, self.product_id.display_name, self.item_fen,
              self.quantity)],
            origin=self.name, gift_lottery_id=self.id)
        self.sale_order_id = order
        return order

    @api.multi
    def _mp_pay(self, method, client_ip=None):
        """Pay the order (WeChat Pay or wallet); the lottery opens when
        the payment arrives."""
        self.ensure_one()
        if self.state != "draft":
            raise MpConflict(_("This lottery is not waiting for payment."),
                             "not_payable")
        expire_at = fields.Datetime.from_string(self.create_date) + \
            datetime.timedelta(minutes=PAY_MINUTES)
        if expire_at <= datetime.datetime.utcnow():
            raise MpConflict(_("The time to pay this lottery is over."),
                             "not_payable")
        return self.sale_order_id._wechatpay_pay(
            method, expire_at=expire_at, client_ip=client_ip)

    @api.multi
    def _payment_received(self):
        """The order was paid: the lottery opens for joiners."""
        self.filtered(lambda l: l.state == "draft").sudo().write(
            {"state": "open"})
        return True

    @api.multi
    def _payment_cancelled(self):
        self.filtered(lambda l: l.state == "draft").sudo().write(
            {"state": "cancel"})
        return True

    # -- joining ---------------------------------------------------------

    @api.multi
    def _closes_at(self):
        self.ensure_one()
        return self.draw_at if self.method == "timed" else self.deadline

    @api.multi
    def _status_for(self, partner):
        """What ``partner`` may do (the seed's checkHasJoin): ``own``,
        ``joined`` (waiting), ``drawn`` (see the result), ``full``,
        ``closed`` or ``can_join``; and their entry if any."""
        self.ensure_one()
        entry = self.env["gift.lottery.entry"].search([
            ("lottery_id", "=", self.id), ("partner_id", "=", partner.id)],
            limit=1)
        if self.partner_id == partner:
            status = "own"
        elif entry:
            status = "drawn" if entry.state != "waiting" else "joined"
        elif self.state in ("drawn", "done"):
            status = "drawn"
        elif self.state != "open" or \
                self._closes_at() <= fields.Datetime.now():
            status = "closed"
        elif self.method == "full" and self.join_count >= self.full_count \
                or self.method == "direct" and not self._items_left():
            status = "full"
        else:
            status = "can_join"
        return status, entry

    @api.multi
    def _items_left(self):
        self.ensure_one()
        return self.quantity - self.given_count - self.returned_count

    @api.multi
    def _join(self, partner):
        """Enter ``partner``, under the lottery's row lock (run it in
        READ COMMITTED: see ``tools.run_read_committed``). Returns the
        entry; 409 with the reason when they may not join."""
        self.ensure_one()
        lock_row(self.env.cr, self._table, self.id)
        self.invalidate_cache()
        status, entry = self._status_for(partner)
        if status != "can_join":
            raise MpConflict({
                "own": _("You cannot join your own lottery."),
                "joined": _("You have joined this lottery already."),
                "drawn": _("This lottery has been drawn."),
                "closed": _("This lottery is closed."),
                "full": _("This lottery is full."),
            }[status], status)
        sequence = self.join_count + 1
        # Entries and counters are the lottery's record of a decision
        # taken here under its lock; the API user only reads them.
        entry = self.env["gift.lottery.entry"].sudo().create({
            "lottery_id": self.id, "partner_id": partner.id,
            "sequence": sequence, "ticket": secrets.token_hex(5),
        })
        self.sudo().write({"join_count": sequence})
        if self.method == "direct":
            self.sudo()._give(entry)
        elif self.method == "full" and sequence == self.full_count:
            self.sudo()._draw()
        return entry.with_env(self.env)

    # -- drawing ---------------------------------------------------------

    @api.multi
    def _give(self, entry):
        """Direct gift: ``entry`` wins an item at once; the lottery is
        drawn when the last item is given."""
        self.ensure_one()
        entry.write({"state": "won", "rank": entry.sequence})
        self.given_count += 1
        self.env["gift.lottery.prize"]._award(entry)
        if not self._items_left():
            self.write({"state": "drawn", "drawn_at": fields.Datetime.now()})
            self._freeze_joiners()
        return True

    @api.multi
    def _freeze_joiners(self):
        """Publish the hash of the joiners' tickets in join order."""
        self.ensure_one()
        self.env.cr.execute("""
            SELECT encode(sha256(convert_to(
                       string_agg(ticket, E'\\n' ORDER BY sequence),
                       'UTF8')), 'hex')
            FROM gift_lottery_entry WHERE lottery_id = %s
        """, [self.id])
        self.joiners_hash = self.env.cr.fetchone()[0] or \
            hashlib.sha256(b"").hexdigest()

    @api.multi
    def _draw(self):
        """Freeze the joiners, rank them, make the prizes of the first N
        and reveal the seed; items nobody can win go back to the buyer.

        Set-based: one statement ranks every joiner and marks winners and
        losers, so 100,000 joiners take seconds. The result messages are
        left to a bounded cron (``_cron_notify_results``).
        """
        self.ensure_one()
        if self.state != "open":
            raise UserError(_("Only an open lottery can be drawn."))
        self._freeze_joiners()
        cr = self.env.cr
        cr.execute(ranking_sql("gift_lottery_entry"), {
            "seed": self.sudo().seed, "lottery": self.id,
            "winners": self.quantity})
        self.env["gift.lottery.entry"].invalidate_cache()
        winners = self.env["gift.lottery.entry"].search([
            ("lottery_id", "=", self.id), ("state", "=", "won")],
            order="rank")
        self.env["gift.lottery.prize"]._award(winners)
        self.write({"state": "drawn", "drawn_at": fields.Datetime.now(),
                    "given_count": len(winners)})
        left = self._items_left()
        if left:
            self._return_items(left, _("Fewer joiners than items"))
        return True

    @api.multi
    def _return_items(self, count, reason):
        """Give ``count`` items back to the buyer as a refund of their
        price, and close the lottery if nothing is left to claim."""
        self.ensure_one()
        amount = count * self.item_fen
        self.sale_order_id._wechatpay_refund(
            amount, "%s: %s" % (self.name, reason))
        self.write({"returned_count": self.returned_count + count,
                    "refunded_fen": self.refunded_fen + amount})
        self._notify(self.partner_id, "gift_returned", _("Refunded"),
                     _("%d item(s), %s CNY") % (count, format_fen(amount)))
        self._close_if_settled()
        return True

    @api.multi
    def _close_if_settled(self):
        """Drawn and every item claimed and shipped, or returned."""
        for lottery in self.filtered(lambda l: l.state == "drawn"):
            pending = lottery.prize_ids.filtered(
                lambda p: p.state in ("to_claim", "claimed"))
            if not pending and not lottery._items_left():
                # Bookkeeping of whoever settled the last prize (staff
                # shipping it, a cron returning it).
                lottery.sudo().state = "done"
        return True

    @api.multi
    def _close_due(self):
        """The lottery's time came: draw a timed one; for full-N apply
        the fallback; for a direct gift return what is left. Nobody
        joined: everything goes back to the buyer."""
        self.ensure_one()
        lock_row(self.env.cr, self._table, self.id)
        self.invalidate_cache()
        if self.state != "open" or self._closes_at() > fields.Datetime.now():
            return False
        if self.method == "direct":
            self.write({"state": "drawn", "drawn_at": fields.Datetime.now()})
            self._freeze_joiners()
            left = self._items_left()
            if left:
                self._return_items(left, _("Not all given by the deadline"))
            return True
        if not self.join_count or \
                self.method == "full" and self.fallback == "refund":
            self.state = "cancel"
            self._freeze_joiners()
            self.env["gift.lottery.entry"].search([
                ("lottery_id", "=", self.id)]).write({"state": "lost"})
            self._return_items(self.quantity, _("Nobody won"))
            return True
        self._draw()
        return True

    @api.model
    def _cron_close_due(self, limit=100, auto_commit=True):
        """Lotteries whose draw time or deadline passed, a bounded batch,
        each in its own transaction (the lock is skipped when another
        server has it)."""
        now = fields.Datetime.now()
        due = self.search([
            ("state", "=", "open"), "|",
            "&", ("method", "=", "timed"), ("draw_at", "<=", now),
            "&", ("method", "!=", "timed"), ("deadline", "<=", now)],
            limit=limit, order="id")
        process_each(due, lambda lottery: lottery._close_due(),
                     auto_commit=auto_commit)
        return len(due)

    # -- verifying -------------------------------------------------------

    @api.multi
    def _verify(self):
        """Everything needed to check the draw, and our own check of it:
        the committed seed hash against the revealed seed, the joiner
        list against its hash, and the winners recomputed from both."""
        self.ensure_one()
        self.env.cr.execute(
            "SELECT ticket FROM gift_lottery_entry WHERE lottery_id = %s"
            " ORDER BY sequence", [self.id])
        tickets = [row[0] for row in self.env.cr.fetchall()]
        seed = self.revealed_seed or None
        winners = self.env["gift.lottery.entry"].search(
            [("lottery_id", "=", self.id), ("rank", ">", 0),
             ("rank", "<=", self.quantity)], order="rank")
        result = {
            "seed_hash": self.seed_hash, "seed": seed,
            "joiners_hash": self.joiners_hash or None,
            "tickets": "\n".join(tickets),
            "winners": [{"rank": e.rank, "ticket": e.ticket,
                         "name": e.partner_id._mp_public_name()}
                        for e in winners],
            "verified": False,
        }
        if seed and self.method != "direct":
            recomputed = rank_tickets(seed, tickets)[:self.quantity]
            result["verified"] = bool(
                hashlib.sha256(seed.encode()).hexdigest() == self.seed_hash
                and tickets_hash(tickets) == self.joiners_hash
                and recomputed == [w["ticket"] for w in result["winners"]])
        elif seed:
            result["verified"] = bool(
                hashlib.sha256(seed.encode()).hexdigest() == self.seed_hash
                and tickets_hash(tickets) == self.joiners_hash)
        return result

    # -- messages --------------------------------------------------------

    @api.multi
    def _notify(self, partner, event_code, status, note):
        """Queue a subscribe message about this lottery (sent only with
        the user's consent). The system's message, whoever triggers it."""
        self.ensure_one()
        return self.env["mp.subscribe.message"].sudo()._enqueue(
            partner, event_code, {
                "thing1": {"value": self.product_id.name[:20]},
                "phrase2": {"value": status[:5]},
                "thing3": {"value": (note or "-")[:20]},
            }, page="pages/gift/result?token=%s" % self.share_token)
