# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
import logging

from odoo import _, api, fields, models

from ..money import fen_to_yuan
from ..wechat.bill import parse_bill, split_lines
from ..wechat.pay_client import PayCallError, call
from ..wechat.times import beijing_day_bounds, beijing_today

_logger = logging.getLogger(__name__)

#: WeChat's answer for a day without any payment or refund.
NO_BILL = "No Bill Exist"


class WechatpayBill(models.Model):
    """WeChat Pay's bill of one (Beijing) day, matched with Odoo.

    Every payment and refund line of the bill must be a transaction done
    / a refund succeeded in Odoo with the same amount, and every one of
    those of the day must be on the bill. The payment bill carries no
    payouts: each payout of the day is checked with ``gettransferinfo``.
    What does not match is listed as a mismatch with its cause.
    """

    _name = "wechatpay.bill"
    _description = "WeChat Pay Daily Bill"
    _order = "bill_date desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    acquirer_id = fields.Many2one(
        "payment.acquirer", required=True, readonly=True)
    company_id = fields.Many2one(
        related="acquirer_id.company_id", store=True, readonly=True)
    currency_id = fields.Many2one(
        related="company_id.currency_id", readonly=True)
    bill_date = fields.Date(required=True, readonly=True, index=True)
    state = fields.Selection([
        ("draft", "Not Checked"),
        ("matched", "Matched"),
        ("mismatch", "Mismatches"),
        ("error", "Could Not Download"),
    ], default="draft", required=True, readonly=True)
    checked_at = fields.Datetime(readonly=True)
    error = fields.Char(readonly=True)
    payment_count = fields.Integer(readonly=True)
    refund_count = fields.Integer(readonly=True)
    payout_count = fields.Integer(readonly=True)
    paid_fen = fields.Integer(string="Collected (fen)", readonly=True)
    refunded_fen = fields.Integer(string="Refunded (fen)", readonly=True)
    paid_out_fen = fields.Integer(string="Paid Out (fen)", readonly=True)
    fee_fen = fields.Integer(string="WeChat Fees (fen)", readonly=True)
    paid = fields.Monetary(
        string="Collected", compute="_compute_amounts", store=True)
    refunded = fields.Monetary(compute="_compute_amounts", store=True)
    paid_out = fields.Monetary(compute="_compute_amounts", store=True)
    fee = fields.Monetary(
        string="WeChat Fees", compute="_compute_amounts", store=True)
    mismatch_ids = fields.One2many(
        "wechatpay.bill.mismatch", "bill_id", string="Mismatches",
        readonly=True)
    mismatch_count = fields.Integer(
        compute="_compute_amounts", store=True)

    _sql_constraints = [
        ("acquirer_day_uniq", "unique(acquirer_id, bill_date)",
         "One bill per merchant and day."),
    ]

    @api.depends("bill_date", "acquirer_id.wechatpay_mch_id")
    def _compute_name(self):
        for bill in self:
            bill.name = "%s %s" % (bill.acquirer_id.wechatpay_mch_id or "",
                                   bill.bill_date or "")

    @api.depends("paid_fen", "refunded_fen", "paid_out_fen", "fee_fen",
                 "mismatch_ids")
    def _compute_amounts(self):
        for bill in self:
            bill.paid = fen_to_yuan(bill.paid_fen)
            bill.refunded = fen_to_yuan(bill.refunded_fen)
            bill.paid_out = fen_to_yuan(bill.paid_out_fen)
            bill.fee = fen_to_yuan(bill.fee_fen)
            bill.mismatch_count = len(bill.mismatch_ids)

    @api.model
    def _cron_check(self, days=1):
        """Check the bills of the last ``days`` days (yesterday first is
        the one WeChat publishes in the morning); bounded by the number
        of merchants and days."""
        today = beijing_today()
        acquirers = self.env["payment.acquirer"].search([
            ("provider", "=", "wechatpay"),
            ("environment", "in", ("prod", "test")),
            ("website_published", "=", True)])
        for acquirer in acquirers:
            for back in range(1, days + 1):
                self._check_day(acquirer, today - datetime.timedelta(
                    days=back))
        return True

    @api.model
    def _check_day(self, acquirer, day):
        """Download and match the bill of ``day``; the bill record."""
        bill = self.search([("acquirer_id", "=", acquirer.id),
                            ("bill_date", "=", fields.Date.to_string(day))])
        if not bill:
            bill = self.create({"acquirer_id": acquirer.id,
                                "bill_date": fields.Date.to_string(day)})
        bill._check()
        return bill

    @api.multi
    def _check(self):
        self.ensure_one()
        client = self.acquirer_id._wechatpay_client()
        day = fields.Date.from_string(self.bill_date)
        try:
            text = call(client.tools.download_bill, day, "ALL",
                        expect_text=True)
            lines = parse_bill(text) if isinstance(text, str) else []
        except PayCallError as error:
            if NO_BILL not in error.message:
                self.write({"state": "error", "error": str(error),
                            "checked_at": fields.Datetime.now()})
                return False
            lines = []
        except (ValueError, ArithmeticError) as error:  # not a bill
            self.write({"state": "error", "error": str(error),
                        "checked_at": fields.Datetime.now()})
            return False
        self.mismatch_ids.unlink()
        problems = self._match(lines, day)
        payments, refunds = split_lines(lines)
        payouts = self._payouts_of(day)
        problems += self._match_payouts(client, payouts)
        self.write({
            "state": "mismatch" if problems else "matched",
            "error": False,
            "checked_at": fields.Datetime.now(),
            "payment_count": len(payments),
            "refund_count": len(refunds),
            "payout_count": len(payouts),
            "paid_fen": sum(line.amount_fen for line in payments),
            "refunded_fen": sum(line.refund_fen for line in refunds),
            "paid_out_fen": sum(payouts.mapped("amount_fen")),
            "fee_fen": sum(line.fee_fen for line in lines),
            "mismatch_ids": [(0, 0, values) for values in problems],
        })
        return not problems

    @api.multi
    def _match(self, lines, day):
        """Mismatch values between the bill lines and Odoo's records."""
        self.ensure_one()
        start, end = beijing_day_bounds(day)
        txs = self.env["payment.transaction"].search([
            ("acquirer_id", "=", self.acquirer_id.id),
            ("state", "=", "done"),
            ("wechatpay_paid_at", ">=", start),
            ("wechatpay_paid_at", "<", end)])
        refunds = self.env["wechatpay.refund"].search([
            ("transaction_id.acquirer_id", "=", self.acquirer_id.id),
            ("destination", "=", "original"),
            ("state", "=", "succeeded"),
            ("succeeded_at", ">=", start), ("succeeded_at", "<", end)])
        tx_by_no = {tx.wechatpay_out_trade_no: tx for tx in txs}
        refund_by_no = {refund.name: refund for refund in refunds}
        problems = []
        billed_payments, billed_refunds = split_lines(lines)
        # Lines of other days' orders/refunds may be in Odoo: look them up.
        others = {tx.wechatpay_out_trade_no: tx for tx in self.env[
            "payment.transaction"].search([("wechatpay_out_trade_no", "in", [
                line.out_trade_no for line in billed_payments
                if line.out_trade_no not in tx_by_no])])}
        other_refunds = {refund.name: refund for refund in self.env[
            "wechatpay.refund"].search([("name", "in", [
                line.out_refund_no for line in billed_refunds
                if line.out_refund_no not in refund_by_no])])}
        for line in billed_payments:
            tx = tx_by_no.pop(line.out_trade_no, None)
            if tx is None:
                other = others.get(line.out_trade_no)
                problems.append(self._problem(
                    "payment", "missing_in_odoo" if not other else "state",
                    line.out_trade_no, line.amount_fen,
                    other.wechatpay_total_fee if other else 0,
                    _("Paid at WeChat, not in Odoo.") if not other else
                    _("Paid at WeChat; in Odoo: %s, paid at %s.") % (
                        _label(other, "state"),
                        other.wechatpay_paid_at or "-"),
                    transaction=other))
            elif tx.wechatpay_total_fee != line.amount_fen:
                problems.append(self._problem(
                    "payment", "amount", line.out_trade_no, line.amount_fen,
                    tx.wechatpay_total_fee, _("Amounts differ."),
                    transaction=tx))
        for tx in tx_by_no.values():
            problems.append(self._problem(
                "payment", "missing_in_bill", tx.wechatpay_out_trade_no, 0,
                tx.wechatpay_total_fee,
                _("Done in Odoo, not on WeChat's bill of the day."),
                transaction=tx))
        for line in billed_refunds:
            refund = refund_by_no.pop(line.out_refund_no, None)
            if refund is None:
                other = other_refunds.get(line.out_refund_no)
                problems.append(self._problem(
                    "refund", "missing_in_odoo" if not other else "state",
                    line.out_refund_no, line.refund_fen,
                    other.amount_fen if other else 0,
                    _("Refunded at WeChat, not in Odoo.") if not other else
                    _("Refunded at WeChat; in Odoo: %s.") % _label(
                        other, "state"),
                    refund=other))
            elif refund.amount_fen != line.refund_fen:
                problems.append(self._problem(
                    "refund", "amount", line.out_refund_no, line.refund_fen,
                    refund.amount_fen, _("Amounts differ."), refund=refund))
        for refund in refund_by_no.values():
            problems.append(self._problem(
                "refund", "missing_in_bill", refund.name, 0,
                refund.amount_fen,
                _("Succeeded in Odoo, not on WeChat's bill of the day."),
                refund=refund))
        return problems

    @api.multi
    def _payouts_of(self, day):
        start, end = beijing_day_bounds(day)
        return self.env["wechatpay.payout"].search([
            ("acquirer_id", "=", self.acquirer_id.id),
            ("state", "=", "done"),
            ("paid_at", ">=", start), ("paid_at", "<", end)])

    @api.model
    def _match_payouts(self, client, payouts):
        """Each payout of the day, as WeChat's transfer query sees it."""
        problems = []
        for payout in payouts:
            try:
                info = call(client.transfer.query, payout.name)
            except PayCallError as error:
                problems.append(self._problem(
                    "payout", "missing_in_bill", payout.name, 0,
                    payout.amount_fen,
                    _("WeChat does not confirm it: %s") % error.message,
                    payout=payout))
                continue
            billed = int(info.get("payment_amount") or 0)
            if info.get("status") != "SUCCESS" or \
                    billed != payout.amount_fen:
                problems.append(self._problem(
                    "payout", "amount" if billed != payout.amount_fen
                    else "state", payout.name, billed, payout.amount_fen,
                    _("WeChat says %s, %s fen.") % (
                        info.get("status"), billed), payout=payout))
        return problems

    @api.model
    def _problem(self, kind, cause, reference, wechat_fen, odoo_fen, note,
                 transaction=None, refund=None, payout=None):
        return {
            "kind": kind, "cause": cause, "reference": reference,
            "wechat_fen": wechat_fen, "odoo_fen": odoo_fen, "note": note,
            "transaction_id": transaction.id if transaction else False,
            "refund_id": refund.id if refund else False,
            "payout_id": payout.id if payout else False,
        }

    @api.multi
    def action_check(self):
        """Back office: download and match again."""
        for bill in self:
            bill._check()
        return True


def _label(record, field_name):
    """The translated label of a selection value, for notes."""
    selection = record._fields[field_name]._description_selection(
        record.env)
    return dict(selection).get(record[field_name], record[field_name])
