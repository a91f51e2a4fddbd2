# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base_wechat_miniprogram.exceptions import MpConflict

from ..money import fen_to_yuan, yuan_to_fen


class AccountInvoice(models.Model):
    """The WeChat payments of an invoice, and refunding them from it."""

    _inherit = "account.invoice"

    wechatpay_transaction_ids = fields.One2many(
        "payment.transaction", "wechatpay_invoice_id",
        string="WeChat Pay Transactions")
    wechatpay_refund_ids = fields.One2many(
        "wechatpay.refund", compute="_compute_wechatpay_refundable",
        string="WeChat Refunds")
    wechatpay_refundable = fields.Boolean(
        string="Refundable via WeChat Pay",
        compute="_compute_wechatpay_refundable")

    @api.depends("wechatpay_transaction_ids.state",
                 "wechatpay_transaction_ids.wechatpay_refund_ids")
    def _compute_wechatpay_refundable(self):
        for invoice in self:
            invoice.wechatpay_refund_ids = \
                invoice.wechatpay_transaction_ids.mapped(
                    "wechatpay_refund_ids")
            invoice.wechatpay_refundable = bool(
                invoice.type == "out_invoice" and
                invoice.wechatpay_transaction_ids.filtered(
                    lambda tx: tx.state == "done"))

    @api.multi
    def _wechatpay_pay(self, method="wechatpay", expire_at=None,
                       client_ip=None):
        """Pay what is left of this customer invoice from the
        mini-program: like ``sale.order._wechatpay_pay``."""
        self.ensure_one()
        if self.type != "out_invoice" or self.state != "open":
            raise MpConflict(_("This invoice is not waiting for payment."),
                             "not_payable")
        amount_fen = yuan_to_fen(self.residual)
        if method == "wallet":
            # Paying is accounting work the API user has no right to; the
            # caller owns the invoice and spends only their own balance.
            self.sudo()._wechatpay_pay_with_wallet(amount_fen)
            return {"method": "wallet", "state": "paid",
                    "amount_fen": amount_fen}
        tx = self.env["payment.transaction"]._wechatpay_open(
            self, amount_fen, self.number, expire_at=expire_at,
            client_ip=client_ip)
        return tx._wechatpay_pay_result()

    @api.multi
    def _wechatpay_pay_with_wallet(self, amount_fen):
        """Debit the invoice's customer's wallet and pay the invoice in
        the wallet journal (Dr wallet liability / Cr receivable)."""
        self.ensure_one()
        wallet = self.env["wechatpay.wallet"]._of(
            self.commercial_partner_id, self.company_id)
        entry = wallet._debit(amount_fen, "payment", self.number,
                              origin="%s,%d" % (self._name, self.id))
        entry.payment_id = self._wechatpay_register_payment(
            self.company_id._wechatpay_wallet_journal(),
            fen_to_yuan(amount_fen))
        return entry

    @api.multi
    def _wechatpay_credit_note(self, amount, description, whole=True):
        """A draft customer credit note of ``amount`` (CNY) against this
        invoice: Odoo's own refund when it gives back the whole invoice
        (``whole`` says the payment is refunded entirely), else one line
        on the invoice's income account."""
        self.ensure_one()
        if whole and self.currency_id.compare_amounts(
                self.amount_total, amount) == 0:
            return self.refund(description=description)
        account = self.invoice_line_ids[:1].account_id or \
            self.journal_id.default_credit_account_id
        return self.create({
            "type": "out_refund",
            "partner_id": self.partner_id.id,
            "journal_id": self.journal_id.id,
            "currency_id": self.currency_id.id,
            "company_id": self.company_id.id,
            "refund_invoice_id": self.id,
            "origin": self.number,
            "name": description,
            "invoice_line_ids": [(0, 0, {
                # In the customer's language: a refund notify from WeChat
                # carries none.
                "name": self.with_context(
                    lang=self.partner_id.lang or self.env.context.get("lang"),
                )._wechatpay_partial_refund_label(description),
                "account_id": account.id,
                "quantity": 1,
                "price_unit": amount,
            })],
        })

    @api.multi
    def _wechatpay_partial_refund_label(self, description):
        return _("Partial refund: %s") % description

    @api.multi
    def _wechatpay_refund_to_wallet(self, amount_fen, description):
        """Give ``amount_fen`` of a wallet-paid invoice back to the
        customer's wallet: a posted credit note paid out of the wallet
        journal (Dr receivable / Cr wallet liability) and the wallet
        credited, in one transaction."""
        self.ensure_one()
        credit_note = self._wechatpay_credit_note(
            fen_to_yuan(amount_fen), description)
        credit_note.action_invoice_open()
        payment = credit_note._wechatpay_register_payment(
            self.company_id._wechatpay_wallet_journal(),
            fen_to_yuan(amount_fen))
        self.env["wechatpay.wallet"]._of(
            self.commercial_partner_id, self.company_id,
        )._credit(amount_fen, "refund", credit_note.number,
                  origin="%s,%d" % (self._name, self.id), payment=payment)
        return credit_note

    @api.multi
    def _wechatpay_register_payment(self, journal, amount, transaction=None):
        """Pay (or, for a credit note, pay back) ``amount`` of this invoice
        in ``journal``: the posted, reconciled payment itself, not a guess
        among the invoice's payments."""
        self.ensure_one()
        values = self._prepare_payment_vals(journal, pay_amount=amount)
        if transaction:
            values["payment_transaction_id"] = transaction.id
        payment = self.env["account.payment"].create(values)
        payment.post()
        return payment

    @api.multi
    def action_wechatpay_refund(self):
        """Open the refund wizard on the invoice's WeChat payment."""
        self.ensure_one()
        tx = self.wechatpay_transaction_ids.filtered(
            lambda t: t.state == "done")[:1]
        if not tx:
            raise UserError(_("This invoice was not paid with WeChat Pay."))
        action = tx.action_wechatpay_refund_wizard()
        action["context"]["wechatpay_from_invoice"] = True
        return action
