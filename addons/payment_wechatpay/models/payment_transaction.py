# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
import logging

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.base_wechat_miniprogram.exceptions import (
    MpConflict, MpServiceUnavailable)
from odoo.addons.queue_job.job import job

from ..money import fen_to_yuan, yuan_to_fen
from ..tools import lock_row, process_each
from ..wechat.pay_client import PayCallError, call
from ..wechat.times import from_beijing, to_beijing

_logger = logging.getLogger(__name__)

try:
    import xmltodict
    from wechatpy.exceptions import InvalidSignatureException
except ImportError as err:  # pragma: no cover
    _logger.debug(err)

#: Margin under which an open transaction is not handed out again: the
#: user needs some time to pay it.
REUSE_MARGIN = datetime.timedelta(seconds=60)
#: Grace after the expiry before the reconciliation asks WeChat: a notify
#: of a payment made in the last second may still be on its way.
RECONCILE_GRACE = datetime.timedelta(seconds=30)
RECONCILE_BATCH = 200
RECONCILE_MAX_BATCHES = 10
#: Fields of a WeChat Pay transaction only the payment process writes.
PROTECTED_FIELDS = frozenset((
    "state", "amount", "currency_id", "partner_id", "acquirer_id",
    "acquirer_reference", "sale_order_id", "wechatpay_out_trade_no",
    "wechatpay_prepay_id", "wechatpay_total_fee", "wechatpay_paid_at",
    "wechatpay_payer_openid", "wechatpay_invoice_id", "wechatpay_payment_id",
    "wechatpay_late",
))
#: How long a transaction waits before it is queried again after WeChat
#: could not answer.
RECONCILE_RETRY_AFTER = datetime.timedelta(minutes=2)


class PaymentTransaction(models.Model):
    """A WeChat Pay order (out_trade_no) for a sale order or an invoice.

    States: ``draft`` (being placed), ``pending`` (placed, the user may
    pay until ``wechatpay_expire_at``), ``done`` (paid), ``cancel``
    (expired and closed at WeChat), ``error`` (WeChat refused the order).
    A payment is settled once, under a row lock, whether the notify or
    the reconciliation cron sees it first.
    """

    _inherit = "payment.transaction"

    wechatpay_out_trade_no = fields.Char(
        string="Out Trade No", readonly=True, copy=False, index=True)
    wechatpay_prepay_id = fields.Char(
        string="Prepay ID", readonly=True, copy=False)
    wechatpay_total_fee = fields.Integer(
        string="Amount (fen)", readonly=True)
    wechatpay_expire_at = fields.Datetime(
        string="Pay Before", readonly=True, index=True)
    wechatpay_checked_at = fields.Datetime(
        string="Last Queried", readonly=True, copy=False)
    wechatpay_payer_openid = fields.Char(
        string="Payer OpenID", readonly=True, copy=False)
    wechatpay_paid_at = fields.Datetime(
        string="Paid At", readonly=True, copy=False, index=True)
    wechatpay_invoice_id = fields.Many2one(
        "account.invoice", string="Invoice", readonly=True, copy=False,
        index=True,
        help="The invoice this payment pays (generated from the sale "
             "order, or paid directly).")
    wechatpay_payment_id = fields.Many2one(
        "account.payment", string="Accounting Payment", readonly=True,
        copy=False)
    wechatpay_refund_ids = fields.One2many(
        "wechatpay.refund", "transaction_id", string="Refunds")
    wechatpay_refunded_fee = fields.Integer(
        string="Refunded (fen)", compute="_compute_wechatpay_refunded_fee",
        help="Refunds pending or succeeded.")
    wechatpay_late = fields.Boolean(
        string="Paid After Closing", readonly=True, copy=False,
        help="Paid after its order was cancelled or expired; refunded "
             "automatically unless the order could still take it.")

    _sql_constraints = [
        ("wechatpay_out_trade_no_uniq", "unique(wechatpay_out_trade_no)",
         "The WeChat out_trade_no must be unique."),
    ]

    @api.model
    def create(self, values):
        """WeChat Pay transactions are created by ``_wechatpay_open`` only
        (see ``write``)."""
        if self.env.uid != SUPERUSER_ID and values.get("acquirer_id") and \
                self.env["payment.acquirer"].browse(
                    values["acquirer_id"]).provider == "wechatpay":
            raise AccessError(_("WeChat Pay transactions are created by "
                                "the payment process only."))
        return super(PaymentTransaction, self).create(values)

    @api.multi
    def write(self, values):
        """What a WeChat payment is (amount, state, payer, documents)
        follows WeChat's verified answers only: nobody may write it, not
        even an accountant over RPC, since a "paid" transaction can be
        refunded into a withdrawable wallet. The payment process writes
        it as superuser."""
        if self.env.uid != SUPERUSER_ID and \
                PROTECTED_FIELDS.intersection(values) and \
                any(tx.provider == "wechatpay" for tx in self.sudo()):
            raise AccessError(_("WeChat Pay transactions change only with "
                                "WeChat's answers."))
        return super(PaymentTransaction, self).write(values)

    @api.depends("wechatpay_refund_ids.state",
                 "wechatpay_refund_ids.amount_fen")
    def _compute_wechatpay_refunded_fee(self):
        for tx in self:
            tx.wechatpay_refunded_fee = sum(
                tx.wechatpay_refund_ids.filtered(
                    lambda r: r.state in ("pending", "succeeded",
                                          "exception")
                ).mapped("amount_fen"))

    # -- placing an order ----------------------------------------------------

    @api.model
    def _wechatpay_open(self, document, amount_fen, description,
                        expire_at=None, client_ip=None):
        """The open WeChat order of ``document`` (a ``sale.order`` or an
        ``account.invoice``), placed now if it has none.

        The document's row is locked first, so that two calls at once
        (a double tap) share one order; an open order with the same amount
        and time left is reused, as WeChat would give back its prepay_id.
        ``expire_at`` (UTC) defaults to the acquirer's order lifetime.
        """
        field = ("sale_order_id" if document._name == "sale.order"
                 else "wechatpay_invoice_id")
        lock_row(self.env.cr, document._table, document.id)
        partner = document.partner_id
        if not partner.mp_openid:
            raise UserError(_("%s has no WeChat identity to pay with.")
                            % partner.display_name)
        if amount_fen <= 0:
            raise MpConflict(_("There is nothing to pay."), "nothing_to_pay")
        if document.currency_id.name != "CNY":
            raise UserError(_("WeChat Pay takes CNY only, not %s.")
                            % document.currency_id.name)
        now = datetime.datetime.utcnow()
        open_tx = self.search([
            (field, "=", document.id), ("provider", "=", "wechatpay"),
            ("state", "=", "pending"),
            ("wechatpay_total_fee", "=", amount_fen),
            ("wechatpay_expire_at", ">",
             fields.Datetime.to_string(now + REUSE_MARGIN)),
        ], limit=1)
        if open_tx:
            return open_tx
        acquirer = self.env["payment.acquirer"]._get_wechatpay(
            document.company_id)
        if not expire_at:
            expire_at = now + datetime.timedelta(
                minutes=acquirer.wechatpay_order_lifetime or 15)
        # As superuser: see ``write``. The caller was checked (the
        # document is theirs) and WeChat decides what happens next.
        tx = self.sudo().create({
            "acquirer_id": acquirer.id,
            "type": "server2server",
            # Odoo's own convention (the order's name, then SO042x1...);
            # the default would draw from a sequence the API user may
            # not use.
            "reference": self._get_next_reference(
                document.name if document._name == "sale.order"
                else document.number),
            "amount": fen_to_yuan(amount_fen),
            "currency_id": document.currency_id.id,
            "partner_id": partner.id,
            field: document.id,
            "wechatpay_total_fee": amount_fen,
            "wechatpay_expire_at": fields.Datetime.to_string(expire_at),
        })
        tx.wechatpay_out_trade_no = acquirer._wechatpay_number("T", tx.id)
        tx._wechatpay_place(description, client_ip)
        return tx.with_env(self.env)

    @api.multi
    def _wechatpay_place(self, description, client_ip=None):
        """unifiedorder; ``pending`` with the prepay_id, or an error."""
        self.ensure_one()
        acquirer = self.acquirer_id
        client = acquirer._wechatpay_client()
        try:
            result = call(
                client.order.create, trade_type="JSAPI",
                body=(description or self.reference)[:40],
                total_fee=self.wechatpay_total_fee,
                notify_url=acquirer._wechatpay_notify_url("pay"),
                client_ip=client_ip or acquirer.wechatpay_client_ip,
                user_id=self.partner_id.mp_openid,
                out_trade_no=self.wechatpay_out_trade_no,
                time_expire=to_beijing(
                    fields.Datetime.from_string(self.wechatpay_expire_at)),
                attach=self.reference[:127])
        except PayCallError as error:
            _logger.warning("unifiedorder %s failed: %s",
                            self.wechatpay_out_trade_no, error)
            if error.retryable:
                raise MpServiceUnavailable(
                    _("WeChat Pay is not available, please try again."))
            raise UserError(_("WeChat Pay refused the order: %s")
                            % error.message)
        self.write({"state": "pending",
                    "wechatpay_prepay_id": result["prepay_id"]})
        return True

    @api.multi
    def _wechatpay_pay_result(self):
        """What the mini-program gets back when it opens a payment."""
        self.ensure_one()
        return {
            "method": "wechatpay", "state": "pending",
            "amount_fen": self.wechatpay_total_fee,
            "transaction_id": self.id,
            "out_trade_no": self.wechatpay_out_trade_no,
            "expire_at": self.partner_id._mp_iso(self.wechatpay_expire_at),
            "request_payment": self._wechatpay_request_payment_params(),
        }

    @api.multi
    def _wechatpay_request_payment_params(self):
        """What the mini-program passes to ``wx.requestPayment``."""
        self.ensure_one()
        client = self.acquirer_id._wechatpay_client()
        params = client.jsapi.get_jsapi_params(self.wechatpay_prepay_id)
        return {
            "timeStamp": params["timeStamp"],
            "nonceStr": params["nonceStr"],
            "package": params["package"],
            "signType": params["signType"],
            "paySign": params["paySign"],
        }

    # -- the pay notify ------------------------------------------------------

    @api.model
    def _wechatpay_handle_pay_notify(self, body):
        """Check and apply a pay notify; True when WeChat may stop.

        Checked before anything moves: the transaction exists, the
        signature is the merchant's, appid, mch_id, currency and amount
        are the transaction's. A forged or tampered notify changes
        nothing and is logged; a duplicate is acknowledged.
        """
        try:
            data = xmltodict.parse(body).get("xml") or {}
        except Exception:  # pylint: disable=broad-except
            data = {}
        out_trade_no = data.get("out_trade_no") if isinstance(
            data, dict) else None
        tx = out_trade_no and self.search(
            [("wechatpay_out_trade_no", "=", out_trade_no)], limit=1)
        if not tx:
            _logger.warning("WeChat pay notify for unknown order %r",
                            out_trade_no)
            return False
        try:
            data = tx.acquirer_id._wechatpay_client().parse_payment_result(
                body)
        except InvalidSignatureException:
            _logger.warning("WeChat pay notify for %s: bad signature",
                            out_trade_no)
            return False
        problem = tx._wechatpay_check_result(data)
        if problem:
            _logger.warning("WeChat pay notify for %s refused: %s",
                            out_trade_no, problem)
            return False
        if data.get("result_code") != "SUCCESS":
            return True  # a failed attempt: the order stays payable
        tx._wechatpay_settle_paid(data)
        return True

    @api.multi
    def _wechatpay_check_result(self, data):
        """Why ``data`` (a notify or an orderquery answer) does not belong
        to this transaction, or None."""
        self.ensure_one()
        acquirer = self.acquirer_id.sudo()
        expected = {
            "return_code": "SUCCESS",
            "appid": acquirer.company_id._mp_config()["app_id"],
            "mch_id": acquirer.wechatpay_mch_id,
            "out_trade_no": self.wechatpay_out_trade_no,
        }
        for key, value in expected.items():
            if data.get(key) != value:
                return "%s is %r, expected %r" % (key, data.get(key), value)
        if data.get("result_code") == "SUCCESS" and \
                data.get("trade_state", "SUCCESS") in ("SUCCESS", "REFUND"):
            if int(data.get("total_fee") or 0) != self.wechatpay_total_fee:
                return "total_fee is %r, expected %r" % (
                    data.get("total_fee"), self.wechatpay_total_fee)
            if data.get("fee_type", "CNY") != "CNY":
                return "fee_type is %r" % data.get("fee_type")
        return None

    @api.multi
    def _wechatpay_lock(self, skip_locked=False):
        """Lock the transaction's row and read its state afresh; False
        when ``skip_locked`` and another transaction holds it."""
        self.ensure_one()
        if not lock_row(self.env.cr, self._table, self.id, skip_locked):
            return False
        self.invalidate_cache(ids=self.ids)
        return True

    @api.multi
    def _wechatpay_settle_paid(self, data):
        """The user paid (notify or orderquery): settle it once.

        Under the row lock: a second notify, or the cron that queried the
        same order, finds the transaction done and leaves. The document
        then takes the payment (confirmed order, paid invoice) or, when
        it can no longer, the money is booked and refunded in full.
        """
        self.ensure_one()
        self._wechatpay_lock()
        if self.state == "done":
            return False
        was_cancelled = self.state == "cancel"
        values = {
            "state": "done",
            "date_validate": fields.Datetime.now(),
            "acquirer_reference": data.get("transaction_id"),
            "wechatpay_payer_openid": data.get("openid"),
            "state_message": False,
        }
        if data.get("time_end"):
            values["wechatpay_paid_at"] = from_beijing(data["time_end"])
        self.write(values)
        if self._wechatpay_document_takes_payment(was_cancelled):
            self._wechatpay_book_document_payment()
        else:
            self._wechatpay_reject_payment()
        return True

    @api.multi
    def _wechatpay_document_takes_payment(self, was_cancelled):
        """Whether the sale order or invoice can still take this payment.

        A sale order takes it while it is a quotation for that amount;
        a cancelled one asks its business hook
        (``_wechatpay_take_late_payment``); a confirmed one was paid by
        another transaction already.
        """
        self.ensure_one()
        order = self.sale_order_id
        if order:
            # In fen: 19.90 rounds to 19.900000000000002 in floats.
            if yuan_to_fen(order.amount_total) != self.wechatpay_total_fee:
                return False
            if order.state == "cancel" or was_cancelled:
                if order.state not in ("draft", "sent", "cancel") or \
                        not order._wechatpay_take_late_payment(self):
                    return False
                if order.state == "cancel":
                    order.action_draft()
                return True
            return order.state in ("draft", "sent")
        invoice = self.wechatpay_invoice_id
        if invoice and not was_cancelled:
            lock_row(self.env.cr, invoice._table, invoice.id)
            # Payments taken but not booked yet do not show in residual.
            unbooked = sum(self.search([
                ("wechatpay_invoice_id", "=", invoice.id),
                ("state", "=", "done"), ("wechatpay_late", "=", False),
                ("wechatpay_payment_id", "=", False), ("id", "!=", self.id),
            ]).mapped("amount"))
            return invoice.state == "open" and \
                invoice.currency_id.compare_amounts(
                    invoice.residual - unbooked, self.amount) >= 0
        return False

    @api.multi
    def _wechatpay_book_document_payment(self):
        """The document takes the payment: a sale order is confirmed at
        once (the business sees it paid); the paid invoice follows in a
        job, as its accounting takes a second or more that the notify,
        which WeChat times out after a few seconds, should not wait for.
        """
        self.ensure_one()
        if self.sale_order_id:
            try:
                with self.env.cr.savepoint():
                    self.sale_order_id.action_confirm()
            except (UserError, ValidationError) as error:
                # The money is here whatever the order thinks: it is
                # booked and refunded rather than lost in a rollback.
                _logger.warning("Order %s refused its payment %s: %s",
                                self.sale_order_id.name,
                                self.wechatpay_out_trade_no, error)
                return self._wechatpay_reject_payment()
        self.with_delay(
            identity_key="wechatpay.book.%d" % self.id,
            description=_("Invoice WeChat payment %s")
            % self.wechatpay_out_trade_no,
        )._wechatpay_book_invoice()

    @job(default_channel="root.wechatpay")
    @api.multi
    def _wechatpay_book_invoice(self):
        """Odoo's own generate-and-pay path: a validated invoice paid in
        the WeChat Pay journal (or the paid invoice, when the payment was
        for one). Once per transaction, under its row lock."""
        for tx in self:
            tx._wechatpay_lock()
            if tx.state != "done" or tx.wechatpay_payment_id:
                continue
            if tx.sale_order_id:
                tx._generate_and_pay_invoice()
                payment = self.env["account.payment"].search([
                    ("payment_transaction_id", "=", tx.id)], limit=1)
                if payment:
                    tx.write({
                        "wechatpay_invoice_id": payment.invoice_ids[:1].id,
                        "wechatpay_payment_id": payment.id,
                    })
                else:
                    # Nothing left to invoice (invoiced by hand meanwhile):
                    # the money still enters the books, for a person to
                    # match.
                    tx._wechatpay_book_unapplied()
                    tx.sale_order_id.message_post(body=_(
                        "WeChat payment %s could not be invoiced "
                        "automatically; it is booked as an unapplied "
                        "customer payment.") % tx.wechatpay_out_trade_no)
            elif tx.wechatpay_invoice_id:
                invoice = tx.wechatpay_invoice_id
                if invoice.state != "open" or \
                        invoice.currency_id.compare_amounts(
                            invoice.residual, tx.amount) < 0:
                    tx._wechatpay_reject_payment()
                    continue
                tx.wechatpay_payment_id = \
                    invoice._wechatpay_register_payment(
                        tx.acquirer_id.journal_id, tx.amount, tx)
        return True

    @api.multi
    def _wechatpay_reject_payment(self):
        """Money came in for a document that gave up (or could not take
        it): book it as an unapplied customer payment and refund it in
        full."""
        self.ensure_one()
        self._wechatpay_book_unapplied()
        self.wechatpay_late = True
        self.env["wechatpay.refund"]._request(
            self, self.wechatpay_total_fee,
            _("Paid after the order was closed"))

    @api.multi
    def _wechatpay_book_unapplied(self):
        """The money in the WeChat Pay journal as an inbound customer
        payment reconciled with nothing."""
        self.ensure_one()
        payment = self.env["account.payment"].create({
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": self.partner_id.commercial_partner_id.id,
            "amount": self.amount,
            "currency_id": self.currency_id.id,
            "journal_id": self.acquirer_id.journal_id.id,
            "payment_method_id": self.env.ref(
                "account.account_payment_method_manual_in").id,
            "payment_date": fields.Date.context_today(self),
            "communication": self.wechatpay_out_trade_no,
            "payment_transaction_id": self.id,
        })
        payment.post()
        self.wechatpay_payment_id = payment
        return payment

    # -- reconciliation ------------------------------------------------------

    @api.model
    def _cron_wechatpay_reconcile(self, batch=RECONCILE_BATCH,
                                  max_batches=RECONCILE_MAX_BATCHES,
                                  auto_commit=True):
        """Settle expired pending orders with WeChat's answer.

        Paid ones are completed as if notified; unpaid ones are closed at
        WeChat and cancelled, and their document is told
        (``_wechatpay_payment_cancelled``). Each transaction is handled
        under its row lock (SKIP LOCKED: a second server, or a notify
        being applied, has it) and committed on its own; at most
        ``batch * max_batches`` a run, oldest first, and a transaction
        WeChat could not answer about waits before it is asked again.
        Returns the number of transactions handled.
        """
        handled = 0
        for _batch in range(max_batches):
            now = datetime.datetime.utcnow()
            txs = self.search([
                ("provider", "=", "wechatpay"),
                ("state", "in", ("draft", "pending")),
                ("wechatpay_expire_at", "<", fields.Datetime.to_string(
                    now - RECONCILE_GRACE)),
                "|", ("wechatpay_checked_at", "=", False),
                ("wechatpay_checked_at", "<", fields.Datetime.to_string(
                    now - RECONCILE_RETRY_AFTER)),
            ], order="wechatpay_expire_at, id", limit=batch)
            process_each(txs, self._wechatpay_reconcile_one_of,
                         auto_commit, on_error=self._wechatpay_note_checked)
            handled += len(txs)
            if len(txs) < batch:
                break
        return handled

    @api.model
    def _wechatpay_reconcile_one_of(self, tx):
        return tx._wechatpay_reconcile_one()

    @api.model
    def _wechatpay_note_checked(self, tx):
        """One transaction must not stop the others: ask again later (a
        notify may have held it, too)."""
        tx.wechatpay_checked_at = fields.Datetime.now()

    @api.multi
    def _wechatpay_reconcile_one(self):
        """Ask WeChat about one expired transaction and act on it."""
        self.ensure_one()
        if not self._wechatpay_lock(skip_locked=True) or \
                self.state not in ("draft", "pending"):
            return False
        client = self.acquirer_id._wechatpay_client()
        try:
            result = call(client.order.query,
                          out_trade_no=self.wechatpay_out_trade_no)
        except PayCallError as error:
            if error.code != "ORDERNOTEXIST":
                return self._wechatpay_postpone(error)
            result = {"trade_state": "NOTEXIST"}
        state = result.get("trade_state")
        if state in ("SUCCESS", "REFUND"):
            problem = self._wechatpay_check_result(result)
            if problem:
                _logger.error("orderquery %s does not match: %s",
                              self.wechatpay_out_trade_no, problem)
                return self._wechatpay_postpone(PayCallError(
                    "MISMATCH", problem, True))
            return self._wechatpay_settle_paid(result)
        if state in ("NOTPAY", "USERPAYING", "PAYERROR"):
            try:
                call(client.order.close, self.wechatpay_out_trade_no)
            except PayCallError as error:
                if error.code == "ORDERPAID":  # paid in the meantime
                    return self._wechatpay_postpone(error, at_once=True)
                if error.code != "ORDERCLOSED":
                    return self._wechatpay_postpone(error)
        self._wechatpay_cancel(_("Not paid in time (%s).") % state)
        return True

    @api.multi
    def _wechatpay_postpone(self, error, at_once=False):
        """Keep the transaction pending and note why; it is asked again
        after ``RECONCILE_RETRY_AFTER`` (at the next run if ``at_once``)."""
        self.write({
            "state_message": str(error),
            "wechatpay_checked_at": False if at_once
            else fields.Datetime.now(),
        })
        return False

    @api.multi
    def _wechatpay_cancel(self, reason):
        """Cancel an unpaid transaction and tell its document."""
        for tx in self:
            tx.write({"state": "cancel", "state_message": reason,
                      "wechatpay_checked_at": fields.Datetime.now()})
            if tx.sale_order_id:
                tx.sale_order_id._wechatpay_payment_cancelled(tx)
        return True

    @api.multi
    def _wechatpay_refresh(self):
        """Ask WeChat about a pending transaction now (the user says they
        paid, the notify is late); settles it if paid. True if settled.

        Settling books accounting documents the mini-program's API user
        may not create: it runs as superuser, on WeChat's word only.
        """
        self.ensure_one()
        if self.state not in ("draft", "pending"):
            return False
        client = self.acquirer_id._wechatpay_client()
        try:
            result = call(client.order.query,
                          out_trade_no=self.wechatpay_out_trade_no)
        except PayCallError as error:
            _logger.info("orderquery %s: %s", self.wechatpay_out_trade_no,
                         error)
            return False
        if result.get("trade_state") in ("SUCCESS", "REFUND") and \
                not self._wechatpay_check_result(result):
            return self.sudo()._wechatpay_settle_paid(result)
        return False

    @api.multi
    def action_wechatpay_query(self):
        """Back office: ask WeChat now about pending transactions."""
        for tx in self:
            tx._wechatpay_refresh()
        return True

    @api.multi
    def action_wechatpay_refund_wizard(self):
        """The refund wizard, for accountants on the transaction or its
        invoice."""
        self.ensure_one()
        left = self.wechatpay_total_fee - self.wechatpay_refunded_fee
        return {
            "type": "ir.actions.act_window",
            "name": _("Refund WeChat Payment"),
            "res_model": "wechatpay.refund.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_transaction_id": self.id,
                "default_amount": left / 100.0,
            },
        }
