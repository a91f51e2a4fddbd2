# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.job import job

from ..money import fen_to_yuan, format_fen
from ..tools import lock_row, process_each
from ..wechat.pay_client import PayCallError, call
from ..wechat.times import from_beijing

_logger = logging.getLogger(__name__)

try:
    import xmltodict
except ImportError as err:  # pragma: no cover
    _logger.debug(err)

#: WeChat accepts at most 50 refunds per order.
MAX_REFUNDS_PER_ORDER = 50
QUERY_BATCH = 100
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class WechatpayRefund(models.Model):
    """A refund of a paid WeChat Pay transaction, whole or partial.

    Its out_refund_no is derived from the record id, so it exists before
    WeChat is called and every retry sends the same one: WeChat refunds
    a number once. The call itself runs in a job after the commit that
    created the record; WeChat's refund notify and the query cron settle
    it. A refund to the customer wallet needs no call and settles at once.
    """

    _name = "wechatpay.refund"
    _description = "WeChat Pay Refund"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(
        string="Out Refund No", readonly=True, copy=False, index=True)
    transaction_id = fields.Many2one(
        "payment.transaction", string="Transaction", required=True,
        readonly=True, ondelete="restrict", index=True)
    company_id = fields.Many2one(
        related="transaction_id.acquirer_id.company_id", store=True,
        readonly=True)
    partner_id = fields.Many2one(
        related="transaction_id.partner_id", store=True, readonly=True)
    currency_id = fields.Many2one(
        related="transaction_id.currency_id", readonly=True)
    out_trade_no = fields.Char(
        related="transaction_id.wechatpay_out_trade_no", readonly=True)
    amount_fen = fields.Integer(
        string="Amount (fen)", required=True, readonly=True)
    amount = fields.Monetary(
        string="Amount", compute="_compute_amount", store=True)
    reason = fields.Char(readonly=True)
    destination = fields.Selection([
        ("original", "WeChat Pay (original payment)"),
        ("wallet", "Customer Wallet"),
    ], required=True, default="original", readonly=True)
    state = fields.Selection([
        ("pending", "Pending"),
        ("succeeded", "Succeeded"),
        ("exception", "Needs Attention"),
        ("failed", "Failed"),
        ("closed", "Closed"),
    ], default="pending", required=True, readonly=True, index=True,
        track_visibility="onchange")
    wechat_refund_id = fields.Char(
        string="WeChat Refund ID", readonly=True, copy=False)
    sent_at = fields.Datetime(readonly=True, copy=False)
    succeeded_at = fields.Datetime(readonly=True, copy=False, index=True)
    error = fields.Char(readonly=True, copy=False)
    credit_note_id = fields.Many2one(
        "account.invoice", string="Credit Note", readonly=True, copy=False)
    payment_id = fields.Many2one(
        "account.payment", string="Refund Payment", readonly=True,
        copy=False)

    _sql_constraints = [
        ("name_uniq", "unique(name)", "The out_refund_no must be unique."),
        ("amount_positive", "CHECK(amount_fen > 0)",
         "A refund must be at least one fen."),
    ]

    @api.depends("amount_fen")
    def _compute_amount(self):
        for refund in self:
            refund.amount = fen_to_yuan(refund.amount_fen)

    # -- requesting ----------------------------------------------------------

    @api.model
    def _request(self, transaction, amount_fen, reason,
                 destination="original"):
        """Record a refund of ``transaction`` and get it going.

        Under the transaction's row lock, so that refunds asked at once
        cannot together exceed what was paid; at most 50 per order.
        """
        transaction._wechatpay_lock()
        if transaction.state != "done":
            raise UserError(_("Only a paid transaction can be refunded."))
        if not isinstance(amount_fen, int) or amount_fen <= 0:
            raise UserError(_("A refund must be at least one fen."))
        refunds = transaction.wechatpay_refund_ids
        if destination == "original" and len(refunds.filtered(
                lambda r: r.destination == "original")) >= \
                MAX_REFUNDS_PER_ORDER:
            raise UserError(_("WeChat Pay accepts at most %d refunds per "
                              "order.") % MAX_REFUNDS_PER_ORDER)
        left = transaction.wechatpay_total_fee - \
            transaction.wechatpay_refunded_fee
        if amount_fen > left:
            raise UserError(
                _("Only %s CNY of this payment can still be refunded.")
                % format_fen(left))
        # Nobody writes refunds directly (not even accountants, over RPC):
        # they are made here, after the checks above, and moved on by
        # WeChat's answers only.
        refund = self.sudo().create({
            "transaction_id": transaction.id,
            "amount_fen": amount_fen,
            "reason": reason,
            "destination": destination,
        })
        refund.name = transaction.acquirer_id._wechatpay_number(
            "R", refund.id)
        if destination == "wallet":
            refund._apply_status("SUCCESS")
        else:
            refund.with_delay(
                identity_key="wechatpay.refund.send.%d" % refund.id,
                description=_("Send WeChat refund %s") % refund.name,
            )._send()
        return refund.with_env(self.env)

    @job(default_channel="root.wechatpay")
    @api.multi
    def _send(self):
        """Ask WeChat to refund (idempotent on out_refund_no).

        A retryable failure keeps the refund pending for the next try;
        a refusal fails it. WeChat's answer only accepts the refund: the
        notify or the query tells when the money is back.
        """
        for refund in self:
            if not refund._lock() or refund.state != "pending" or \
                    refund.destination != "original":
                continue
            tx = refund.transaction_id
            acquirer = tx.acquirer_id
            client = acquirer._wechatpay_client()
            try:
                result = call(
                    client.refund.apply,
                    total_fee=tx.wechatpay_total_fee,
                    refund_fee=refund.amount_fen,
                    out_refund_no=refund.name,
                    out_trade_no=tx.wechatpay_out_trade_no,
                    refund_desc=(refund.reason or "")[:80] or None,
                    notify_url=acquirer._wechatpay_notify_url("refund"))
            except PayCallError as error:
                _logger.warning("refund %s: %s", refund.name, error)
                values = {"error": str(error)}
                if not error.retryable:
                    values["state"] = "failed"
                refund.write(values)
                continue
            refund.write({"wechat_refund_id": result.get("refund_id"),
                          "sent_at": fields.Datetime.now(),
                          "error": False})
        return True

    @api.multi
    def _lock(self):
        self.ensure_one()
        locked = lock_row(self.env.cr, self._table, self.id)
        self.invalidate_cache(ids=self.ids)
        return locked

    # -- settling ------------------------------------------------------------

    @api.multi
    def _apply_status(self, status, success_time=None):
        """WeChat's refund_status, once: SUCCESS books the refund,
        REFUNDCLOSE closes it, CHANGE (the money could not reach the
        user) needs a person; PROCESSING waits."""
        self.ensure_one()
        self._lock()
        if self.state != "pending" or status == "PROCESSING":
            return False
        if status == "SUCCESS":
            self.write({"state": "succeeded",
                        "succeeded_at": success_time or
                        fields.Datetime.now()})
            self._book()
        elif status == "REFUNDCLOSE":
            self.write({"state": "closed"})
        else:
            # CHANGE: the money left the merchant but could not reach the
            # user; it is settled by hand in WeChat's merchant platform,
            # and still counts as refunded here.
            self.write({"state": "exception",
                        "error": _("WeChat refund status %s") % status})
        return True

    @api.multi
    def _book(self):
        """The accounting of a succeeded refund.

        With an invoice behind the payment: a customer credit note
        (Odoo's own refund of the invoice when everything is refunded at
        once, else one line for the amount on the invoice's income
        account), paid by an outbound payment in the WeChat Pay journal
        (or the wallet journal) and reconciled with it. Without one (a
        payment that came too late): an outbound payment reconciled with
        the inbound one.
        """
        self.ensure_one()
        tx = self.transaction_id
        tx._wechatpay_book_invoice()  # if its job has not run yet
        journal = tx.acquirer_id.journal_id if \
            self.destination == "original" else \
            tx.acquirer_id.company_id._wechatpay_wallet_journal()
        # The invoice this money really paid (none for a late payment).
        invoice = tx.wechatpay_payment_id.invoice_ids.filtered(
            lambda inv: inv.type == "out_invoice")[:1]
        if invoice:
            credit_note = self._make_credit_note(invoice)
            credit_note.action_invoice_open()
            payment = credit_note._wechatpay_register_payment(
                journal, self.amount)
            self.write({"credit_note_id": credit_note.id,
                        "payment_id": payment.id})
        else:
            payment = self._pay_back(journal)
            self.payment_id = payment
        if self.destination == "wallet":
            self.env["wechatpay.wallet"]._of(
                payment.partner_id.commercial_partner_id,
                tx.acquirer_id.company_id,
            )._credit(self.amount_fen, "refund", self.name,
                      origin="%s,%d" % (self._name, self.id),
                      payment=payment)
        return True

    @api.multi
    def _make_credit_note(self, invoice):
        self.ensure_one()
        return invoice._wechatpay_credit_note(
            self.amount, self.reason or self.name,
            whole=self.amount_fen == self.transaction_id.wechatpay_total_fee)

    @api.multi
    def _pay_back(self, journal):
        """An outbound customer payment, reconciled with the inbound
        payment of the transaction."""
        self.ensure_one()
        tx = self.transaction_id
        payment = self.env["account.payment"].create({
            "payment_type": "outbound",
            "partner_type": "customer",
            "partner_id": tx.partner_id.commercial_partner_id.id,
            "amount": self.amount,
            "currency_id": tx.currency_id.id,
            "journal_id": journal.id,
            "payment_method_id": self.env.ref(
                "account.account_payment_method_manual_out").id,
            "payment_date": fields.Date.context_today(self),
            "communication": self.name,
        })
        payment.post()
        lines = (payment.move_line_ids | tx.wechatpay_payment_id.move_line_ids
                 ).filtered(lambda l: l.account_id.internal_type ==
                            "receivable" and not l.reconciled)
        lines.reconcile()
        return payment

    # -- notify and query ----------------------------------------------------

    @api.model
    def _handle_refund_notify(self, body):
        """Decrypt and apply a refund notify; True when WeChat may stop.

        The outer appid/mch_id name the merchant whose key decrypts
        ``req_info``; the refund must exist and match the out_trade_no
        and amount it names. Anything else changes nothing.
        """
        try:
            outer = xmltodict.parse(body).get("xml") or {}
        except Exception:  # pylint: disable=broad-except
            outer = {}
        if not isinstance(outer, dict) or not outer.get("mch_id"):
            _logger.warning("WeChat refund notify without merchant")
            return False
        if outer.get("return_code") != "SUCCESS":
            # A failed notice carries no refund result (like a pay notify)
            _logger.warning("WeChat refund notify with return_code %r",
                            outer.get("return_code"))
            return False
        acquirers = self.env["payment.acquirer"].search([
            ("provider", "=", "wechatpay"),
            ("wechatpay_mch_id", "=", outer["mch_id"])])
        for acquirer in acquirers:
            client = acquirer._wechatpay_client()
            try:
                info = client.parse_refund_notify_result(body)
            except Exception:  # pylint: disable=broad-except
                continue  # wrong key, appid or garbage: try the next
            refund = self.search([("name", "=", info.get("out_refund_no")),
                                  ("transaction_id.acquirer_id", "=",
                                   acquirer.id)], limit=1)
            if not refund or \
                    info.get("out_trade_no") != refund.out_trade_no or \
                    info.get("refund_fee") != refund.amount_fen:
                _logger.warning("WeChat refund notify does not match: %s",
                                info.get("out_refund_no"))
                return False
            refund._apply_status(info.get("refund_status"), from_beijing(
                info.get("success_time"), DATETIME_FORMAT))
            return True
        _logger.warning("WeChat refund notify could not be decrypted")
        return False

    @api.model
    def _cron_settle(self, batch=QUERY_BATCH, auto_commit=True):
        """Send refunds not yet accepted and query those sent, oldest
        first, one commit each; a bounded batch per run."""
        refunds = self.search([("state", "=", "pending"),
                               ("destination", "=", "original")],
                              order="write_date, id", limit=batch)
        return process_each(refunds, self._settle_one, auto_commit)

    @api.model
    def _settle_one(self, refund):
        if refund.wechat_refund_id:
            refund._query()
        else:
            refund._send()
        refund.write({})  # to the back of the queue

    @api.multi
    def _query(self):
        self.ensure_one()
        client = self.transaction_id.acquirer_id._wechatpay_client()
        try:
            result = call(client.refund.query, out_refund_no=self.name)
        except PayCallError as error:
            self.error = str(error)
            return False
        for index in range(int(result.get("refund_count") or 0)):
            if result.get("out_refund_no_%d" % index) == self.name:
                return self._apply_status(
                    result.get("refund_status_%d" % index),
                    from_beijing(result.get("refund_success_time_%d" % index),
                                 DATETIME_FORMAT))
        return False

    @api.multi
    def action_query(self):
        """Back office: send or query the pending refunds now."""
        # The button only triggers the checked process (see _request).
        for refund in self.sudo().filtered(lambda r: r.state == "pending"):
            if refund.wechat_refund_id:
                refund._query()
            else:
                refund._send()
        return True
