# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base_wechat_miniprogram.exceptions import MpConflict
from odoo.addons.queue_job.job import job

from ..money import fen_to_yuan, format_fen
from ..tools import lock_row, process_each
from ..wechat.pay_client import PayCallError, call
from ..wechat.times import beijing_day_bounds, beijing_today, from_beijing

_logger = logging.getLogger(__name__)

SEND_BATCH = 100
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class WechatpayPayout(models.Model):
    """Money paid to a user's WeChat change (企业付款到零钱).

    Nobody writes payouts directly (not even accountants, over RPC): they
    are created by ``_request`` after its checks, as superuser, and moved
    on by WeChat's answers only.

    Two sources: the user's wallet (a withdrawal, debited when asked) or
    a business payout from an account the caller names (a pool's share).
    The partner_trade_no derives from the record id and is committed
    before the first call, so every retry sends the same number and
    WeChat pays it once. A business payout that may not be transferred
    (transfers off, below the minimum, over the user's daily cap) or
    that WeChat refuses goes to the wallet instead; a refused withdrawal
    is put back into it.
    """

    _name = "wechatpay.payout"
    _description = "WeChat Pay Payout"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(
        string="Partner Trade No", readonly=True, copy=False, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True,
        index=True)
    acquirer_id = fields.Many2one(
        "payment.acquirer", required=True, readonly=True)
    company_id = fields.Many2one(
        related="acquirer_id.company_id", store=True, readonly=True)
    currency_id = fields.Many2one(
        related="company_id.currency_id", readonly=True)
    amount_fen = fields.Integer(
        string="Amount (fen)", required=True, readonly=True)
    amount = fields.Monetary(compute="_compute_amount", store=True)
    description = fields.Char(required=True, readonly=True)
    source = fields.Selection([
        ("wallet", "Wallet Withdrawal"),
        ("account", "Business Payout"),
    ], required=True, readonly=True)
    debit_account_id = fields.Many2one(
        "account.account", string="Paid From", required=True,
        readonly=True)
    origin = fields.Char(readonly=True)
    state = fields.Selection([
        ("pending", "Pending"),
        ("done", "Paid"),
        ("wallet", "Credited to Wallet"),
        ("failed", "Failed"),
    ], default="pending", required=True, readonly=True, index=True,
        track_visibility="onchange")
    payment_no = fields.Char(string="WeChat Payment No", readonly=True)
    paid_at = fields.Datetime(readonly=True, index=True)
    attempts = fields.Integer(readonly=True, default=0)
    error = fields.Char(readonly=True)
    move_id = fields.Many2one(
        "account.move", string="Journal Entry", readonly=True)
    wallet_entry_id = fields.Many2one(
        "wechatpay.wallet.entry", string="Wallet Entry", readonly=True)

    _sql_constraints = [
        ("name_uniq", "unique(name)", "The partner_trade_no must be unique."),
        ("amount_positive", "CHECK(amount_fen > 0)",
         "A payout must be at least one fen."),
    ]

    @api.depends("amount_fen")
    def _compute_amount(self):
        for payout in self:
            payout.amount = fen_to_yuan(payout.amount_fen)

    # -- requesting ----------------------------------------------------------

    @api.model
    def _request(self, partner, amount_fen, description, company,
                 debit_account=None, origin=None):
        """Pay ``amount_fen`` to ``partner``: from ``debit_account`` (a
        business payout) or, when None, from the partner's wallet.

        The partner's wallet row is the lock: two payouts to one user at
        once see each other in the daily cap, and two withdrawals cannot
        spend one balance twice.
        """
        if not isinstance(amount_fen, int) or amount_fen <= 0:
            raise UserError(_("A payout must be at least one fen."))
        company = company.with_env(self.env)
        acquirer = self.env["payment.acquirer"]._get_wechatpay(company)
        partner = partner.with_env(self.env).commercial_partner_id
        wallet = self.env["wechatpay.wallet"]._of(partner, company)
        lock_row(self.env.cr, wallet._table, wallet.id)
        blocker = self._transfer_blocker(acquirer, partner, amount_fen)
        values = {
            "partner_id": partner.id, "acquirer_id": acquirer.id,
            "amount_fen": amount_fen, "description": description,
            "origin": origin,
        }
        if debit_account is None:
            if blocker:
                raise MpConflict(blocker, "payout_not_allowed")
            payout = self.sudo().create(dict(
                values, source="wallet",
                debit_account_id=company._wechatpay_wallet_journal()
                .default_debit_account_id.id))
            payout.name = acquirer._wechatpay_number("W", payout.id)
            payout.wallet_entry_id = wallet._debit(
                amount_fen, "withdrawal", payout.name,
                origin="%s,%d" % (self._name, payout.id))
        else:
            payout = self.sudo().create(dict(
                values, source="account", debit_account_id=debit_account.id))
            payout.name = acquirer._wechatpay_number("W", payout.id)
            if blocker:
                payout._to_wallet(blocker)
                return payout.with_env(self.env)
        payout.with_delay(
            identity_key="wechatpay.payout.send.%d" % payout.id,
            description=_("Send WeChat payout %s") % payout.name)._send()
        return payout.with_env(self.env)

    @api.model
    def _mp_withdraw(self, partner, amount_fen, company):
        """A withdrawal asked by the mini-program user ``partner``.

        As superuser: the API user may not create accounting records;
        the caller was authenticated and spends only their own balance.
        """
        return self.sudo()._request(
            partner, amount_fen, _("Wallet withdrawal"), company)

    @api.model
    def _transfer_blocker(self, acquirer, partner, amount_fen):
        """Why this amount may not go to the user's change now, or None."""
        if not acquirer.wechatpay_payout_enabled:
            return _("Payouts to WeChat change are turned off.")
        if not partner.mp_openid:
            return _("The customer has no WeChat identity.")
        if amount_fen < acquirer.wechatpay_payout_min_fen:
            return _("Below the minimum payout of %s CNY.") % format_fen(
                acquirer.wechatpay_payout_min_fen)
        cap = acquirer.wechatpay_payout_daily_cap_fen
        if cap:
            start, end = beijing_day_bounds(beijing_today())
            self.env.cr.execute("""
                SELECT COALESCE(SUM(amount_fen), 0) FROM wechatpay_payout
                WHERE partner_id = %s AND acquirer_id = %s
                  AND state IN ('pending', 'done')
                  AND create_date >= %s AND create_date < %s
            """, [partner.id, acquirer.id, start, end])
            if self.env.cr.fetchone()[0] + amount_fen > cap:
                return _("Over the daily payout cap of %s CNY.") % \
                    format_fen(cap)
        return None

    # -- sending -------------------------------------------------------------

    @job(default_channel="root.wechatpay")
    @api.multi
    def _send(self):
        """Transfer each pending payout, under its row lock (SKIP LOCKED:
        a second sender leaves it alone); idempotent on the number."""
        for payout in self:
            if not lock_row(self.env.cr, self._table, payout.id,
                            skip_locked=True):
                continue
            payout.invalidate_cache(ids=payout.ids)
            if payout.state != "pending":
                continue
            payout._send_one()
        return True

    @api.multi
    def _send_one(self):
        self.ensure_one()
        acquirer = self.acquirer_id
        client = acquirer._wechatpay_client()
        self.attempts += 1
        try:
            result = call(
                client.transfer.transfer, user_id=self.partner_id.mp_openid,
                amount=self.amount_fen, desc=self.description[:100],
                client_ip=acquirer.wechatpay_client_ip,
                check_name="NO_CHECK", out_trade_no=self.name)
        except PayCallError as error:
            _logger.warning("payout %s: %s", self.name, error)
            if error.retryable:
                self.error = str(error)
                return False
            # Refused: make sure WeChat did not pay it after all; only a
            # transfer WeChat says failed or never saw is given up.
            try:
                info = call(client.transfer.query, self.name)
            except PayCallError as query_error:
                if query_error.code != "NOT_FOUND":
                    self.error = str(error)
                    return False  # outcome unknown: stays pending
                info = {}
            if info.get("status") == "SUCCESS":
                return self._done(info.get("detail_id"),
                                  info.get("payment_time"))
            self.error = str(error)
            if info.get("status") == "PROCESSING":
                return False
            if self.source == "wallet":
                self._reverse_withdrawal(error.message)
            else:
                self._to_wallet(error.message)
            return False
        return self._done(result.get("payment_no"),
                          result.get("payment_time"))

    @api.multi
    def _done(self, payment_no, payment_time):
        """Paid: Dr the source account (the partner's wallet liability or
        the business account) / Cr the WeChat Pay journal's account."""
        self.ensure_one()
        journal = self.acquirer_id.journal_id
        move = self._post_move(journal, self.debit_account_id,
                               journal.default_credit_account_id)
        self.write({
            "state": "done", "payment_no": payment_no, "error": False,
            "paid_at": from_beijing(payment_time, DATETIME_FORMAT)
            or fields.Datetime.now(),
            "move_id": move.id,
        })
        return True

    @api.multi
    def _to_wallet(self, reason):
        """A business payout credited to the wallet: Dr the business
        account / Cr the wallet liability."""
        self.ensure_one()
        company = self.company_id
        journal = company._wechatpay_wallet_journal()
        move = self._post_move(journal, self.debit_account_id,
                               journal.default_credit_account_id)
        entry = self.env["wechatpay.wallet"]._of(
            self.partner_id, company)._credit(
                self.amount_fen, "payout_fallback", self.name,
                origin="%s,%d" % (self._name, self.id), move=move)
        self.write({"state": "wallet", "error": reason, "move_id": move.id,
                    "wallet_entry_id": entry.id})
        return True

    @api.multi
    def _reverse_withdrawal(self, reason):
        """WeChat refused the transfer: the amount goes back into the
        wallet (no journal entry was made for the withdrawal)."""
        self.ensure_one()
        self.env["wechatpay.wallet"]._of(
            self.partner_id, self.company_id)._credit(
                self.amount_fen, "payout_reversal", self.name,
                origin="%s,%d" % (self._name, self.id))
        self.write({"state": "failed", "error": reason})
        return True

    @api.multi
    def _post_move(self, journal, debit_account, credit_account):
        self.ensure_one()
        common = {"partner_id": self.partner_id.id, "name": self.description}
        amount = self.amount
        move = self.env["account.move"].create({
            "journal_id": journal.id,
            "ref": self.name,
            "date": fields.Date.context_today(self),
            "line_ids": [
                (0, 0, dict(common, account_id=debit_account.id,
                            debit=amount, credit=0.0)),
                (0, 0, dict(common, account_id=credit_account.id,
                            debit=0.0, credit=amount)),
            ],
        })
        move.post()
        return move

    @api.model
    def _cron_send(self, batch=SEND_BATCH, auto_commit=True):
        """Send the pending payouts, oldest first, one commit each."""
        payouts = self.search([("state", "=", "pending")],
                              order="write_date, id", limit=batch)
        return process_each(payouts, self._send_queued, auto_commit)

    @api.model
    def _send_queued(self, payout):
        payout._send()
        payout.write({})  # to the back of the queue

    @api.multi
    def action_send(self):
        """Back office: try the pending payouts now (the button only
        triggers the checked process; payouts are never written directly).
        """
        return self.sudo().filtered(lambda p: p.state == "pending")._send()
