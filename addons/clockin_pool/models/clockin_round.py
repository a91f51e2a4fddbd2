# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
import logging
import secrets

import pytz
from psycopg2.extras import execute_values

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.payment_wechatpay.money import fen_to_yuan
from odoo.addons.payment_wechatpay.tools import lock_row

from ..split import allocation_digest, fee_of, split_pool

_logger = logging.getLogger(__name__)

#: Allocation rows written per transaction at settlement.
ALLOCATION_BATCH = 20000
#: Rounds settled per cron run.
SETTLE_ROUNDS = 5

LIVE_STATES = ("pending", "paid", "clocked")


def to_utc(day, hours, tz_name):
    """Naive UTC string of ``hours`` (a float, 5.5 = 05:30) on local
    ``day`` in ``tz_name``."""
    minutes = int(round(hours * 60))
    local = pytz.timezone(tz_name).localize(datetime.datetime.combine(
        day, datetime.time(minutes // 60, minutes % 60)))
    return fields.Datetime.to_string(
        local.astimezone(pytz.utc).replace(tzinfo=None))


class ClockinRound(models.Model):
    """One day's pool (早起打卡): people join the day before, clock in
    inside the window, and the stakes of those who did not are split
    among those who did at settlement.

    A round stores its own rules and UTC timestamps (copied from the
    company when created), so whether it is open, in its window or due
    for settlement is decided from timestamps at request time; crons only
    create rounds ahead and settle them.
    """

    _name = "clockin.round"
    _description = "Clock-in Round"
    _order = "day desc, id desc"
    _rec_name = "day"

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True,
        default=lambda self: self.env.user.company_id)
    currency_id = fields.Many2one(
        related="company_id.currency_id", readonly=True)
    day = fields.Date(required=True, readonly=True, index=True,
                      help="The local day of the window.")
    window_start = fields.Datetime(required=True, readonly=True)
    window_end = fields.Datetime(required=True, readonly=True)
    settle_at = fields.Datetime(string="Settlement", required=True,
                                readonly=True, index=True)
    stake_fen = fields.Integer(string="Stake (fen)", required=True,
                               readonly=True)
    fee_percent = fields.Float(string="Fee (%)", digits=(5, 2),
                               readonly=True)
    split_mode = fields.Selection([
        ("random", "Random (line cut)"),
        ("equal", "Equal"),
    ], required=True, readonly=True, default="random")
    cap_fen = fields.Integer(string="Cap per Winner (fen)", readonly=True)
    nobody_policy = fields.Selection([
        ("refund", "Refund the stakes"),
        ("rollover", "Roll into the next day's pool"),
    ], required=True, readonly=True, default="refund")
    state = fields.Selection([
        ("open", "Open"),
        ("settling", "Settling"),
        ("settled", "Settled"),
    ], default="open", required=True, readonly=True, index=True)
    entry_ids = fields.One2many("clockin.entry", "round_id",
                                string="Entries")
    allocation_ids = fields.One2many("clockin.allocation", "round_id",
                                     string="Allocations")
    rollover_in_fen = fields.Integer(
        string="Rolled In (fen)", readonly=True,
        help="Pool carried over from earlier days nobody won.")
    # Figures, fixed at settlement.
    participant_count = fields.Integer(string="Participants",
                                       readonly=True)
    winner_count = fields.Integer(string="Clocked In", readonly=True)
    success_rate = fields.Float(string="Success Rate (%)", readonly=True,
                                group_operator="avg")
    stakes_fen = fields.Integer(string="Stakes (fen)", readonly=True)
    forfeited_fen = fields.Integer(string="Forfeited (fen)",
                                   readonly=True)
    fee_fen = fields.Integer(string="Fee (fen)", readonly=True)
    pool_fen = fields.Integer(
        string="Pool Split (fen)", readonly=True,
        help="Forfeited stakes plus what was rolled in, less the fee.")
    rollover_out_fen = fields.Integer(string="Rolled Over (fen)",
                                      readonly=True)
    outcome = fields.Selection([
        ("split", "Split among the winners"),
        ("all_made_it", "Nobody missed: stakes returned"),
        ("refunded", "Nobody clocked in: stakes refunded"),
        ("rolled_over", "Nobody clocked in: rolled over"),
        ("empty", "Nobody joined"),
    ], readonly=True)
    settle_seed = fields.Char(string="Split Seed", readonly=True,
                              copy=False)
    allocation_hash = fields.Char(
        string="Allocation Hash (sha256)", readonly=True, copy=False)
    settled_at = fields.Datetime(readonly=True, copy=False)
    move_id = fields.Many2one("account.move", string="Settlement Entry",
                              readonly=True, copy=False)
    reminded = fields.Boolean(readonly=True, copy=False)
    audit_note = fields.Char(string="Last Audit", readonly=True,
                             copy=False)
    live_participants = fields.Integer(
        compute="_compute_live", string="Participants Now")
    live_clocked = fields.Integer(compute="_compute_live",
                                  string="Clocked In Now")

    _sql_constraints = [
        ("company_day_uniq", "unique(company_id, day)",
         "A company has one round per day."),
        ("stake_positive", "CHECK(stake_fen > 0)",
         "The stake must be at least one fen."),
    ]

    @api.multi
    def _compute_live(self):
        counts = self._counts()
        for rnd in self:
            rnd.live_participants, rnd.live_clocked = counts.get(
                rnd.id, (0, 0))

    @api.multi
    def _counts(self):
        """``{round id: (participants, clocked in)}`` of paid entries, in
        one query."""
        if not self.ids:
            return {}
        self.env.cr.execute("""
            SELECT round_id, count(*) FILTER (WHERE state != 'pending'),
                   count(*) FILTER (WHERE state = 'clocked'
                                    OR clocked_at IS NOT NULL)
            FROM clockin_entry
            WHERE round_id IN %s AND state NOT IN ('pending', 'cancelled')
            GROUP BY round_id""", [tuple(self.ids)])
        return {row[0]: (row[1], row[2]) for row in self.env.cr.fetchall()}

    # -- creating ahead --------------------------------------------------

    @api.model
    def _local_today(self, company):
        tz = pytz.timezone(company.clockin_tz or "Asia/Shanghai")
        return datetime.datetime.now(tz).date()

    @api.model
    def _ensure(self, company, day):
        """The round of ``company`` on ``day``, created from the
        company's rules if missing (an upsert: two servers make one)."""
        tz = company.clockin_tz or "Asia/Shanghai"
        values = {
            "company": company.id, "day": fields.Date.to_string(day),
            "start": to_utc(day, company.clockin_window_start, tz),
            "end": to_utc(day, company.clockin_window_end, tz),
            "settle": to_utc(day, company.clockin_settle_time, tz),
            "stake": company.clockin_stake_fen,
            "fee": company.clockin_fee_percent,
            "mode": company.clockin_split_mode or "random",
            "cap": company.clockin_cap_fen,
            "policy": company.clockin_nobody_policy or "refund",
            "uid": self.env.uid,
        }
        self.env.cr.execute("""
            INSERT INTO clockin_round (company_id, day, window_start,
                window_end, settle_at, stake_fen, fee_percent, split_mode,
                cap_fen, nobody_policy, state, rollover_in_fen,
                create_uid, write_uid, create_date, write_date)
            VALUES (%(company)s, %(day)s, %(start)s, %(end)s, %(settle)s,
                %(stake)s, %(fee)s, %(mode)s, %(cap)s, %(policy)s, 'open',
                0, %(uid)s, %(uid)s, now() at time zone 'UTC',
                now() at time zone 'UTC')
            ON CONFLICT (company_id, day) DO NOTHING""", values)
        return self.search([("company_id", "=", company.id),
                            ("day", "=", values["day"])], limit=1)

    @api.model
    def _cron_create_rounds(self):
        """Today's round and the next days' (as set on the company), for
        every company with clock-in pools. Idempotent."""
        made = self.browse()
        for company in self.env["res.company"].search(
                [("clockin_enabled", "=", True)]):
            today = self._local_today(company)
            for ahead in range(max(company.clockin_days_ahead, 1) + 1):
                made |= self._ensure(
                    company, today + datetime.timedelta(days=ahead))
        return made

    # -- which round -----------------------------------------------------

    @api.model
    def _joinable(self, company):
        """The round one can join now: the next whose window has not
        opened yet (tomorrow's once today's window opened)."""
        now = fields.Datetime.now()
        rnd = self.search([
            ("company_id", "=", company.id), ("state", "=", "open"),
            ("window_start", ">", now)], order="window_start", limit=1)
        if not rnd:
            today = self._local_today(company)
            for ahead in (0, 1):
                rnd = self._ensure(company,
                                   today + datetime.timedelta(days=ahead))
                if rnd.state == "open" and rnd.window_start > now:
                    break
            else:
                rnd = self.browse()
        return rnd

    @api.model
    def _current(self, company):
        """The round the home page shows: the first whose settlement is
        still ahead (today's until it settles, then tomorrow's)."""
        return self.search([
            ("company_id", "=", company.id),
            ("settle_at", ">", fields.Datetime.now())],
            order="settle_at", limit=1)

    @api.model
    def _of_today(self, company):
        """The round whose local day is today (the one to clock in)."""
        return self.search([
            ("company_id", "=", company.id),
            ("day", "=", fields.Date.to_string(
                self._local_today(company)))], limit=1)

    @api.multi
    def _phase(self):
        """``joining``, ``window``, ``closed`` (window over, settlement
        ahead) or ``settled``, from the timestamps."""
        self.ensure_one()
        now = fields.Datetime.now()
        if self.state != "open":
            return "settled" if self.state == "settled" else "closed"
        if now < self.window_start:
            return "joining"
        if now < self.window_end:
            return "window"
        return "closed"

    # -- settlement ------------------------------------------------------

    @api.model
    def _cron_settle(self, batch=ALLOCATION_BATCH, auto_commit=True,
                     limit=SETTLE_ROUNDS):
        """Settle the rounds whose settlement time has come (bounded)."""
        rounds = self.search([
            ("state", "in", ("open", "settling")),
            ("settle_at", "<=", fields.Datetime.now())],
            order="settle_at, id", limit=limit)
        for rnd in rounds:
            rnd._settle(batch=batch, auto_commit=auto_commit)
        return len(rounds)

    @api.multi
    def _settle(self, batch=ALLOCATION_BATCH, auto_commit=True):
        """Settle this round, one bounded step per transaction.

        Each step takes the round's row lock (SKIP LOCKED: a second
        server leaves a round another one is settling) and commits: the
        figures and seed first, then allocation rows ``batch`` at a time,
        then the entries' outcome and the journal entry. The split is a
        function of the stored seed and the winners, and allocation rows
        are unique per entry, so a crash anywhere resumes where it
        stopped, and a second run changes nothing.
        """
        self.ensure_one()
        cr = self.env.cr
        while True:
            if not lock_row(cr, self._table, self.id, skip_locked=True):
                return False
            self.invalidate_cache(ids=self.ids)
            if self.state == "settled":
                return True
            if self.settle_at > fields.Datetime.now():
                raise UserError(_("This round settles at its settlement "
                                  "time."))
            if self.state == "open":
                self._settle_begin()
            elif self._allocate_batch(batch):
                self._settle_finish()
            if auto_commit:
                cr.commit()  # pylint: disable=invalid-commit

    @api.multi
    def _settle_begin(self):
        """Fix the figures; the outcomes without a split end here."""
        self.ensure_one()
        cr = self.env.cr
        cr.execute("""
            SELECT count(*), count(*) FILTER (WHERE state = 'clocked')
            FROM clockin_entry
            WHERE round_id = %s AND state IN ('paid', 'clocked')""",
                   [self.id])
        participants, winners = cr.fetchone()
        stakes = participants * self.stake_fen
        forfeited = (participants - winners) * self.stake_fen
        values = {
            "participant_count": participants, "winner_count": winners,
            "success_rate": 100.0 * winners / participants
            if participants else 0.0,
            "stakes_fen": stakes, "forfeited_fen": forfeited,
        }
        rolled = self.rollover_in_fen
        if not participants or not winners:
            self._settle_without_winners(values, participants, rolled)
            return
        fee = fee_of(forfeited + rolled, self.fee_percent)
        values.update({
            "fee_fen": fee, "pool_fen": forfeited + rolled - fee,
            "outcome": "split" if forfeited + rolled else "all_made_it",
            "settle_seed": secrets.token_hex(16), "state": "settling",
        })
        self.write(values)

    @api.multi
    def _settle_without_winners(self, values, participants, rolled):
        if not participants:
            outcome, carry = "empty", rolled
        elif self.nobody_policy == "rollover":
            outcome, carry = "rolled_over", values["stakes_fen"] + rolled
        else:
            outcome, carry = "refunded", rolled
        move = self._post_settlement(values["stakes_fen"], 0) \
            if outcome == "rolled_over" else self.env["account.move"]
        self.env.cr.execute("""
            UPDATE clockin_entry SET state = %s,
                write_date = now() at time zone 'UTC'
            WHERE round_id = %s AND state = 'paid'""", [
            "refund_due" if outcome == "refunded" else "missed", self.id])
        values.update({"outcome": outcome, "rollover_out_fen": carry,
                       "state": "settled",
                       "settled_at": fields.Datetime.now(),
                       "move_id": move.id})
        self.write(values)
        if carry:
            nxt = self._ensure(self.company_id, fields.Date.from_string(
                self.day) + datetime.timedelta(days=1))
            lock_row(self.env.cr, self._table, nxt.id)
            self.env.cr.execute(
                "UPDATE clockin_round SET rollover_in_fen ="
                " rollover_in_fen + %s WHERE id = %s", [carry, nxt.id])
            nxt.invalidate_cache(ids=nxt.ids)
        self.env["clockin.entry"].invalidate_cache()

    @api.multi
    def _winners(self):
        """``[(entry id, partner id)]`` of the winners in clock-in order
        (the order the split's remainder and first-K rule follow)."""
        self.env.cr.execute("""
            SELECT id, partner_id FROM clockin_entry
            WHERE round_id = %s AND state = 'clocked'
            ORDER BY clocked_at, id""", [self.id])
        return self.env.cr.fetchall()

    @api.multi
    def _split(self, winners):
        return split_pool(self.pool_fen, len(winners), self.split_mode,
                          self.cap_fen, self.settle_seed)

    @api.multi
    def _allocate_batch(self, batch):
        """Write the next ``batch`` allocation rows; True when all are
        written. Rows already there are left alone (unique per entry)."""
        self.ensure_one()
        cr = self.env.cr
        cr.execute("SELECT count(*) FROM clockin_allocation"
                   " WHERE round_id = %s", [self.id])
        done = cr.fetchone()[0]
        winners = self._winners()
        if done >= len(winners):
            return True
        shares = self._split(winners)
        rows = [(self.id, entry_id, partner_id, self.company_id.id,
                 rank + 1, share, self.stake_fen, share + self.stake_fen,
                 self.env.uid)
                for rank, ((entry_id, partner_id), share) in enumerate(
                    zip(winners, shares))][done:done + batch]
        execute_values(cr, """
            INSERT INTO clockin_allocation (round_id, entry_id, partner_id,
                company_id, rank, share_fen, stake_fen, amount_fen,
                create_uid, write_uid, create_date, write_date, state)
            SELECT v.round_id, v.entry_id, v.partner_id, v.company_id,
                v.rank, v.share_fen, v.stake_fen, v.amount_fen, v.uid,
                v.uid, now() at time zone 'UTC', now() at time zone 'UTC',
                'sealed'
            FROM (VALUES %s) AS v (round_id, entry_id, partner_id,
                company_id, rank, share_fen, stake_fen, amount_fen, uid)
            ON CONFLICT (entry_id) DO NOTHING""", rows, page_size=5000)
        return done + len(rows) >= len(winners)

    @api.multi
    def _settle_finish(self):
        """All rows written: check them against the figures, seal them
        with their hash, book the round and close it."""
        self.ensure_one()
        cr = self.env.cr
        cr.execute("""
            SELECT count(*), COALESCE(sum(share_fen), 0)
            FROM clockin_allocation WHERE round_id = %s""", [self.id])
        count, shared = cr.fetchone()
        if count != self.winner_count or shared != self.pool_fen:
            raise UserError(_(
                "The allocation of round %s does not add up.") % self.day)
        cr.execute("""
            UPDATE clockin_entry SET state = 'missed',
                write_date = now() at time zone 'UTC'
            WHERE round_id = %s AND state = 'paid'""", [self.id])
        move = self._post_settlement(self.stakes_fen, self.fee_fen)
        self.write({"allocation_hash": self._allocation_hash(),
                    "state": "settled", "move_id": move.id,
                    "settled_at": fields.Datetime.now()})
        self.env["clockin.entry"].invalidate_cache()

    @api.multi
    def _allocation_hash(self):
        self.env.cr.execute("""
            SELECT entry_id, partner_id, share_fen, stake_fen
            FROM clockin_allocation WHERE round_id = %s""", [self.id])
        return allocation_digest(self.id, self.settle_seed,
                                 self.env.cr.fetchall())

    @api.multi
    def _post_settlement(self, stakes_fen, fee_fen):
        """The round's stakes leave *stakes held*: the fee to income, the
        rest to *prizes owed* (the winners' envelopes, or the next day's
        pool). Nothing to book for a round without stakes."""
        self.ensure_one()
        if not stakes_fen:
            return self.env["account.move"]
        company = self.company_id
        owed = stakes_fen - fee_fen
        name = _("Clock-in round %s") % self.day
        lines = [(0, 0, {
            "name": name,
            "account_id": company._clockin_stake_account().id,
            "debit": fen_to_yuan(stakes_fen), "credit": 0.0})]
        if fee_fen:
            lines.append((0, 0, {
                "name": _("Platform fee"),
                "account_id": company._clockin_fee_account().id,
                "debit": 0.0, "credit": fen_to_yuan(fee_fen)}))
        if owed:
            lines.append((0, 0, {
                "name": _("Prizes owed"),
                "account_id": company._clockin_prize_account().id,
                "debit": fen_to_yuan(max(-owed, 0)),
                "credit": fen_to_yuan(max(owed, 0))}))
        journal = self.env["account.journal"].sudo().search([
            ("type", "=", "general"), ("company_id", "=", company.id)],
            limit=1)
        # Accounting documents: the cron's user or staff, after the
        # round's checks; the API user never gets here.
        move = self.env["account.move"].sudo().create({
            "journal_id": journal.id, "ref": name, "line_ids": lines})
        move.post()
        return move

    @api.multi
    def _audit(self):
        """Recompute the allocation from the stored seed and winners and
        the hash from the stored rows; what differs (empty: all good)."""
        self.ensure_one()
        problems = []
        if self.allocation_hash and \
                self._allocation_hash() != self.allocation_hash:
            problems.append("hash")
        winners = self._winners()
        expected = sorted(
            (entry_id, partner_id, share, self.stake_fen)
            for (entry_id, partner_id), share in zip(
                winners, self._split(winners))) \
            if self.outcome in ("split", "all_made_it") else []
        self.env.cr.execute("""
            SELECT entry_id, partner_id, share_fen, stake_fen
            FROM clockin_allocation WHERE round_id = %s ORDER BY entry_id""",
                            [self.id])
        if self.env.cr.fetchall() != expected:
            problems.append("allocation")
        return problems

    @api.multi
    def action_settle(self):
        """Back office: settle a round past its settlement time now (the
        same steps as the cron)."""
        for rnd in self:
            rnd._settle(auto_commit=False)
        return True

    @api.multi
    def action_audit(self):
        """Back office: run the audit and record its verdict."""
        for rnd in self:
            problems = rnd._audit()
            rnd.audit_note = "%s: %s" % (
                fields.Datetime.now(),
                _("differs (%s)") % ", ".join(problems) if problems
                else _("checks out"))
        return True

    # -- demo ------------------------------------------------------------

    @api.model
    def _demo_populate(self):
        """Demo rounds: three past ones settled (with their allocations),
        today's open with its entries, tomorrow's taking entries. Stakes
        are paid from demo wallets, so the orders, invoices and journal
        entries are the real ones."""
        company = self.env.ref("base.main_company")
        today = self._local_today(company)
        names = ["早起的鸟", "晨跑小王", "Lucy", "阿强", "Mandy", "小七",
                 "Tom", "陈晨"]
        partners = self.env["res.partner"].browse([
            self.env["res.partner"].create({
                "name": name, "mp_nickname": name, "customer": True,
                "company_id": company.id}).id for name in names])
        now = datetime.datetime.utcnow()

        def stamp(**delta):
            return fields.Datetime.to_string(
                now + datetime.timedelta(**delta))
        for back, clocked in ((3, 5), (2, 8), (1, 0)):
            rnd = self._ensure(company,
                               today - datetime.timedelta(days=back))
            rnd.write({"state": "open", "window_start": stamp(hours=1),
                       "window_end": stamp(hours=2),
                       "settle_at": stamp(hours=3)})
            entries = self._demo_join(rnd, partners)
            rnd.write({"window_start": stamp(days=-back, hours=-3),
                       "window_end": stamp(days=-back, hours=-1)})
            for index, entry in enumerate(entries[:clocked]):
                entry.write({"state": "clocked", "clocked_at": stamp(
                    days=-back, hours=-3, minutes=index * 7 + 3)})
            rnd.settle_at = stamp(days=-back, minutes=-55)
            rnd._settle(auto_commit=False)
        current = self._ensure(company, today)
        upcoming = self._ensure(company, today + datetime.timedelta(days=1))
        for rnd in (current, upcoming):
            if rnd.state == "open" and rnd.window_start > stamp():
                self._demo_join(rnd, partners[:5])
        return True

    @api.model
    def _demo_join(self, rnd, partners):
        entries = self.env["clockin.entry"]
        for partner in partners:
            self.env["wechatpay.wallet"]._of(partner, rnd.company_id)._credit(
                rnd.stake_fen, "refund", "demo",
                move=self._demo_fund_move(rnd.company_id, partner,
                                          rnd.stake_fen))
            entry = entries.create({
                "round_id": rnd.id, "partner_id": partner.id,
                "stake_fen": rnd.stake_fen, "method": "wallet"})
            entry._make_order()._wechatpay_pay("wallet")
            entries |= entry
        return entries

    @api.model
    def _demo_fund_move(self, company, partner, amount_fen):
        """The books of a demo wallet credit: the customer paid it in
        cash (Dr cash / Cr the wallet liability), so that the wallets add
        up to their liability account as real ones do."""
        wallet_journal = company._wechatpay_wallet_journal()
        cash = self.env["account.journal"].search([
            ("type", "in", ("cash", "bank")), ("company_id", "=", company.id),
            ("id", "!=", wallet_journal.id),
            ("default_debit_account_id", "!=", False)],
            order="type desc, id", limit=1)
        amount = fen_to_yuan(amount_fen)
        common = {"partner_id": partner.id, "name": "Demo wallet top-up"}
        move = self.env["account.move"].create({
            "journal_id": wallet_journal.id,
            "ref": "Demo wallet top-up",
            "line_ids": [
                (0, 0, dict(common, account_id=cash.default_debit_account_id
                            .id, debit=amount, credit=0.0)),
                (0, 0, dict(common, account_id=wallet_journal
                            .default_credit_account_id.id, debit=0.0,
                            credit=amount)),
            ],
        })
        move.post()
        return move
