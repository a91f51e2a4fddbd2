# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base_wechat_miniprogram.exceptions import (
    MpConflict, MpForbidden)
from odoo.addons.payment_wechatpay.tools import lock_row, process_each

_logger = logging.getLogger(__name__)

#: Entries handled per run of the stake-return and reminder crons.
CRON_BATCH = 500


class ClockinEntry(models.Model):
    """A person's entry in a round: the stake paid, then the clock-in.

    One live entry per person and round (a partial unique index, and the
    join decided under the partner's row lock). The stake is paid through
    a quotation of the *Clock-in Stake* product, whose income account is
    the stakes-held liability.
    """

    _name = "clockin.entry"
    _description = "Clock-in Entry"
    _order = "id desc"

    round_id = fields.Many2one("clockin.round", string="Round",
                               required=True, index=True, readonly=True,
                               ondelete="restrict")
    day = fields.Date(related="round_id.day", store=True, readonly=True)
    company_id = fields.Many2one(related="round_id.company_id",
                                 store=True, readonly=True)
    partner_id = fields.Many2one("res.partner", string="User",
                                 required=True, index=True, readonly=True)
    stake_fen = fields.Integer(string="Stake (fen)", required=True,
                               readonly=True)
    method = fields.Selection([
        ("wechatpay", "WeChat Pay"),
        ("wallet", "Wallet"),
    ], required=True, default="wechatpay", readonly=True)
    state = fields.Selection([
        ("pending", "Awaiting Payment"),
        ("paid", "Joined"),
        ("clocked", "Clocked In"),
        ("missed", "Missed"),
        ("refund_due", "Refund Due"),
        ("refunded", "Refunded"),
        ("cancelled", "Not Paid"),
    ], default="pending", required=True, readonly=True, index=True)
    order_id = fields.Many2one("sale.order", string="Stake Order",
                               readonly=True)
    paid_at = fields.Datetime(readonly=True)
    clocked_at = fields.Datetime(string="Clocked In At", readonly=True)
    reminded = fields.Boolean(readonly=True)
    refund_id = fields.Many2one("wechatpay.refund", readonly=True)

    @api.model_cr
    def init(self):
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS clockin_entry_live_uniq "
            "ON clockin_entry (round_id, partner_id) "
            "WHERE state != 'cancelled'")
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS clockin_entry_round_state "
            "ON clockin_entry (round_id, state, clocked_at)")

    # -- joining ---------------------------------------------------------

    @api.model
    def _mp_join(self, partner, company, method="wechatpay",
                 client_ip=None):
        """Join the next round (tomorrow's once today's window opened)
        and pay its stake: ``(entry, payment)``. 409 ``already_joined``,
        ``closed`` when no round takes entries."""
        rnd = self.env["clockin.round"]._joinable(company)
        if not rnd:
            raise MpConflict(_("No round is open for joining."), "closed")
        lock_row(self.env.cr, "res_partner", partner.id)
        entry = self.search([
            ("round_id", "=", rnd.id), ("partner_id", "=", partner.id),
            ("state", "!=", "cancelled")], limit=1)
        if entry and entry.state != "pending":
            raise MpConflict(_("You have joined this round already."),
                             "already_joined")
        if entry and entry.method != method:
            entry._cancel_unpaid()
            entry = self.browse()
        if not entry:
            # Entries and their quotations are the back office's records;
            # the caller was authenticated and joins only as themself.
            entry = self.sudo().create({
                "round_id": rnd.id, "partner_id": partner.id,
                "stake_fen": rnd.stake_fen, "method": method,
            })
            entry._make_order()
        payment = entry.sudo().order_id._wechatpay_pay(
            method, expire_at=fields.Datetime.from_string(rnd.window_start),
            client_ip=client_ip)
        return entry.with_env(self.env), payment

    @api.multi
    def _make_order(self):
        self.ensure_one()
        company = self.round_id.company_id
        product = company._clockin_stake_product()
        order = self.env["sale.order"].sudo()._wechatpay_quotation(
            self.partner_id, company, [
                (product, _("Clock-in stake: %s") % self.round_id.day,
                 self.stake_fen, 1)],
            origin=_("Clock-in %s") % self.round_id.day)
        self.sudo().order_id = order
        return order

    @api.multi
    def _mark_paid(self):
        """The stake's order is confirmed (paid). A round that started
        settling takes no more stakes: the payment is refused (a
        ``UserError``, which ``payment_wechatpay`` answers with a refund).
        """
        for entry in self.filtered(lambda e: e.state == "pending"):
            if entry.round_id.state != "open":
                raise UserError(_("This round is closed."))
            entry.sudo().write({"state": "paid",
                                "paid_at": fields.Datetime.now()})
        return True

    @api.multi
    def _cancel_unpaid(self):
        pending = self.filtered(lambda e: e.state == "pending")
        pending.sudo().write({"state": "cancelled"})
        for order in pending.sudo().mapped("order_id").filtered(
                lambda o: o.state in ("draft", "sent")):
            order.action_cancel()
        return True

    @api.multi
    def _retake(self):
        """A payment arrived for a lapsed entry: it counts again while
        the round still takes entries and the user has no other one."""
        self.ensure_one()
        rnd = self.round_id
        if rnd.state != "open" or \
                rnd.window_start <= fields.Datetime.now():
            return False
        lock_row(self.env.cr, "res_partner", self.partner_id.id)
        if self.search_count([
                ("round_id", "=", rnd.id),
                ("partner_id", "=", self.partner_id.id),
                ("state", "!=", "cancelled"), ("id", "!=", self.id)]):
            return False
        self.sudo().state = "pending"
        return True

    # -- clocking in -----------------------------------------------------

    @api.model
    def _mp_clock(self, partner, company, client_ip=None):
        """Clock in now, for today's round; the entry. Refusals are
        409 (``too_early``, ``too_late``, ``not_joined``, ``already``) or
        403 (``risk_blocked``), and each is logged with its reason."""
        Attempt = self.env["clockin.attempt"]
        rnd = self.env["clockin.round"]._of_today(company)
        now = fields.Datetime.now()
        entry = self.search([
            ("round_id", "=", rnd.id), ("partner_id", "=", partner.id),
            ("state", "in", ("paid", "clocked"))], limit=1) \
            if rnd else self.browse()
        reason = None
        if not entry:
            reason = "not_joined"
        elif entry.state == "clocked":
            reason = "already"
        elif now < rnd.window_start:
            reason = "too_early"
        elif now >= rnd.window_end or rnd.state != "open":
            reason = "too_late"
        rank = None
        if not reason and company.clockin_risk_rank:
            rank = company._clockin_risk_rank_of(partner, client_ip)
            if rank is not None and rank >= company.clockin_risk_rank:
                reason = "risk_blocked"
        if reason:
            Attempt._log(partner, rnd, reason, rank)
            if reason == "risk_blocked":
                raise MpForbidden(_("This account may not clock in."),
                                  reason)
            raise MpConflict(Attempt._reason_text(reason), reason)
        # The row's own lock decides between two clock-ins of one user.
        self.env.cr.execute("""
            UPDATE clockin_entry SET state = 'clocked', clocked_at = %s,
                write_date = %s
            WHERE id = %s AND state = 'paid' RETURNING id""",
                            [now, now, entry.id])
        if not self.env.cr.fetchone():
            Attempt._log(partner, rnd, "already", rank)
            raise MpConflict(Attempt._reason_text("already"), "already")
        entry.invalidate_cache(ids=entry.ids)
        day = fields.Date.from_string(rnd.day)
        partner._clockin_count_day(
            rnd.day, fields.Date.to_string(day - datetime.timedelta(days=1)))
        Attempt._log(partner, rnd, "ok", rank, at=now)
        return entry

    @api.multi
    def _rank(self):
        """The order of this clock-in in its round (1: the first)."""
        self.ensure_one()
        self.env.cr.execute("""
            SELECT count(*) FROM clockin_entry
            WHERE round_id = %s AND clocked_at IS NOT NULL
              AND (clocked_at, id) <= (%s, %s)""",
                            [self.round_id.id, self.clocked_at, self.id])
        return self.env.cr.fetchone()[0]

    # -- giving stakes back ----------------------------------------------

    @api.model
    def _cron_return_stakes(self, limit=CRON_BATCH, auto_commit=True):
        """Refund the stakes of rounds nobody made it through (when the
        rule says refund): the way they came, one entry per transaction,
        skipping entries another server holds."""
        entries = self.search([("state", "=", "refund_due")],
                              order="id", limit=limit)

        def refund(entry):
            if lock_row(self.env.cr, self._table, entry.id,
                        skip_locked=True):
                entry.invalidate_cache(ids=entry.ids)
                if entry.state == "refund_due":
                    entry._refund_stake(_("Nobody clocked in"))
        process_each(entries, refund, auto_commit=auto_commit)
        return len(entries)

    @api.multi
    def _refund_stake(self, reason):
        """A WeChat stake through a WeChat refund (its credit note when
        WeChat confirms), a wallet stake to the wallet at once."""
        self.ensure_one()
        refund = self.order_id._wechatpay_refund(self.stake_fen, reason) \
            or self.env["wechatpay.refund"]
        self.sudo().write({"state": "refunded", "refund_id": refund.id})
        return refund

    # -- reminders -------------------------------------------------------

    @api.model
    def _cron_remind(self, limit=CRON_BATCH, auto_commit=True):
        """Remind, before their window, the people who joined, want the
        reminder and gave a consent for the reminder template (nobody
        else: WeChat would refuse, and asking is the user's choice).
        Bounded; entries locked SKIP LOCKED, each reminded once."""
        now = datetime.datetime.utcnow()
        self.env.cr.execute("""
            SELECT e.id FROM clockin_entry e
            JOIN clockin_round r ON r.id = e.round_id
            JOIN res_company c ON c.id = r.company_id
            JOIN res_partner p ON p.id = e.partner_id
            JOIN mp_subscribe_template t ON t.company_id = r.company_id
                AND t.event_code = 'clockin_remind' AND t.active
            JOIN mp_subscribe_consent s ON s.partner_id = e.partner_id
                AND s.template_id = t.template_id AND s.remaining > 0
                AND NOT COALESCE(s.banned, false)
            WHERE e.state = 'paid' AND NOT COALESCE(e.reminded, false)
              AND p.clockin_remind AND r.state = 'open'
              AND r.window_start > %s
              AND r.window_start <= %s
                  + make_interval(mins => c.clockin_remind_minutes)
            ORDER BY e.id LIMIT %s
            FOR UPDATE OF e SKIP LOCKED""", [now, now, limit])
        entries = self.browse([row[0] for row in self.env.cr.fetchall()])
        for entry in entries:
            entry._remind()
        entries.write({"reminded": True})
        if auto_commit and entries:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return len(entries)

    @api.multi
    def _remind(self):
        self.ensure_one()
        rnd = self.round_id
        return self.env["mp.subscribe.message"].sudo()._enqueue(
            self.partner_id, "clockin_remind", {
                "thing1": {"value": _("Early clock-in")[:20]},
                "time2": {"value": self.partner_id._mp_iso(
                    rnd.window_start)[:16].replace("T", " ")},
                "amount3": {"value": "%.2f" % (self.stake_fen / 100.0)},
            }, page="pages/clockin/index")
