# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base_wechat_miniprogram.exceptions import MpConflict

from ..money import fen_to_yuan, yuan_to_fen


class SaleOrder(models.Model):
    """Paying a quotation from the mini-program, by WeChat Pay or wallet.

    Business addons (events, auctions, lotteries, pools) create the
    quotation and call ``_wechatpay_pay``; they extend the two hooks to
    release or retake what the order holds (a seat, a lot, a stake).
    """

    _inherit = "sale.order"

    wechatpay_transaction_ids = fields.One2many(
        "payment.transaction", "sale_order_id",
        string="WeChat Pay Transactions",
        domain=[("provider", "=", "wechatpay")])
    wechatpay_amount_fen = fields.Integer(
        string="Total (fen)", compute="_compute_wechatpay_amount_fen")

    @api.depends("amount_total")
    def _compute_wechatpay_amount_fen(self):
        for order in self:
            order.wechatpay_amount_fen = yuan_to_fen(order.amount_total)

    @api.model
    def _wechatpay_quotation(self, partner, company, lines, **values):
        """A quotation the system makes for a mini-program user to pay (a
        fee, a deposit, a stake, gifts, a won lot).

        :param lines: ``(product, description, unit price in fen,
            quantity)``; untaxed (the prices are what the user pays).
        :param values: other fields of the order (``origin``, links).

        Made without chatter (no creation note, no tracking): crons make
        thousands of them, and the order's origin and links say where it
        comes from. The unit of measure is given so that Odoo does not
        run the product's onchange for each line.
        """
        order_lines = [(0, 0, {
            "product_id": product.id, "name": name,
            "product_uom_qty": quantity, "product_uom": product.uom_id.id,
            "price_unit": fen_to_yuan(fen), "tax_id": [(6, 0, [])],
        }) for product, name, fen, quantity in lines]
        order = self.with_context(
            tracking_disable=True, mail_create_nolog=True,
            mail_create_nosubscribe=True,
        ).create(dict(values, partner_id=partner.id, company_id=company.id,
                      order_line=order_lines))
        return order.with_env(self.env)

    @api.multi
    def _wechatpay_pay(self, method="wechatpay", expire_at=None,
                       client_ip=None):
        """Pay this quotation; what the mini-program needs to go on.

        ``method`` ``wechatpay``: the open WeChat order (reused on a second
        call) and its ``wx.requestPayment`` parameters. ``wallet``: the
        order is paid from the customer wallet at once, or 409 when the
        balance is short. ``expire_at`` (UTC) bounds the WeChat order.
        """
        self.ensure_one()
        if self.state not in ("draft", "sent"):
            raise MpConflict(_("This order is not waiting for payment."),
                             "not_payable")
        if method == "wallet":
            # Confirming, invoicing and paying are accounting work the
            # API user has no right to; the caller owns the order and
            # spends only their own balance.
            self.sudo()._wechatpay_pay_with_wallet()
            return {"method": "wallet", "state": "paid",
                    "amount_fen": self.wechatpay_amount_fen}
        tx = self.env["payment.transaction"]._wechatpay_open(
            self, self.wechatpay_amount_fen, self.name,
            expire_at=expire_at, client_ip=client_ip)
        return tx._wechatpay_pay_result()

    @api.multi
    def _wechatpay_pay_with_wallet(self):
        """Debit the wallet, confirm, invoice and pay the invoice in the
        wallet journal: one transaction, so a short balance changes
        nothing."""
        self.ensure_one()
        self.env["wechatpay.wallet"]._of(
            self.partner_invoice_id.commercial_partner_id, self.company_id,
        )._lock_for(self.wechatpay_amount_fen)
        self.action_confirm()
        # Odoo's generate-and-pay does the same: the whole order is
        # invoiced now, whatever its lines' invoicing policy.
        self._force_lines_to_invoice_policy_order()
        invoice = self.env["account.invoice"].browse(
            self.with_context(force_company=self.company_id.id)
            .action_invoice_create())
        invoice.action_invoice_open()
        # What the invoice asks, to the fen; a short balance undoes all.
        invoice._wechatpay_pay_with_wallet(yuan_to_fen(invoice.amount_total))
        return invoice

    @api.multi
    def _wechatpay_refund(self, amount_fen, reason):
        """Give back ``amount_fen`` of this paid order the way it was
        paid: a WeChat refund (a credit note and an outbound payment
        follow WeChat's answer), returned; or, for an order paid from the
        wallet, a paid credit note and the wallet credited at once (None
        is returned). Business addons call it after their own checks;
        accounting documents are not theirs to write, hence superuser.
        """
        self.ensure_one()
        order = self.sudo()
        tx = order.wechatpay_transaction_ids.filtered(
            lambda t: t.state == "done" and not t.wechatpay_late)[:1]
        if tx:
            return self.env["wechatpay.refund"].sudo()._request(
                tx, amount_fen, reason)
        invoice = order.invoice_ids.filtered(
            lambda inv: inv.type == "out_invoice" and inv.state == "paid")[:1]
        if not invoice:
            raise UserError(_("Order %s has no payment to refund.")
                            % order.name)
        invoice._wechatpay_refund_to_wallet(amount_fen, reason)
        return None

    @api.multi
    def _wechatpay_payment_cancelled(self, transaction):
        """Hook: ``transaction`` expired unpaid. The default cancels the
        quotation; business addons release what it held, then call
        super."""
        self.ensure_one()
        if self.state in ("draft", "sent") and not \
                self.wechatpay_transaction_ids.filtered(
                    lambda t: t.state in ("draft", "pending")
                    and t != transaction):
            self.action_cancel()
        return True

    @api.multi
    def _wechatpay_take_late_payment(self, transaction):
        """Hook: may this cancelled order still take ``transaction``'s
        payment (for example, the seat is still free)? Business addons
        retake what the order needs and answer True; the default, False,
        refunds the payment."""
        return False
