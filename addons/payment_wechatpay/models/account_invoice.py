# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class AccountInvoice(models.Model):
    """The WeChat payments of an invoice, and refunding them from it."""

    _inherit = "account.invoice"

    wechatpay_transaction_ids = fields.One2many(
        "payment.transaction", "wechatpay_invoice_id",
        string="WeChat Pay Transactions")
    wechatpay_refundable = fields.Boolean(
        compute="_compute_wechatpay_refundable")

    @api.depends("wechatpay_transaction_ids.state")
    def _compute_wechatpay_refundable(self):
        for invoice in self:
            invoice.wechatpay_refundable = bool(
                invoice.type == "out_invoice" and
                invoice.wechatpay_transaction_ids.filtered(
                    lambda tx: tx.state == "done"))

    @api.multi
    def action_wechatpay_refund(self):
        """Open the refund wizard on the invoice's WeChat payment."""
        self.ensure_one()
        tx = self.wechatpay_transaction_ids.filtered(
            lambda t: t.state == "done")[:1]
        if not tx:
            raise UserError(_("This invoice was not paid with WeChat Pay."))
        return tx.action_wechatpay_refund_wizard()
