# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..money import fen_to_yuan, yuan_to_fen


class WechatpayRefundWizard(models.TransientModel):
    """Refund a WeChat payment, whole or in part, from the back office
    (the transaction or its invoice), with a reason."""

    _name = "wechatpay.refund.wizard"
    _description = "Refund a WeChat Payment"

    transaction_id = fields.Many2one(
        "payment.transaction", required=True, readonly=True,
        domain=[("provider", "=", "wechatpay"), ("state", "=", "done")])
    currency_id = fields.Many2one(related="transaction_id.currency_id")
    paid = fields.Monetary(compute="_compute_left")
    refundable = fields.Monetary(
        string="Can Still Be Refunded", compute="_compute_left")
    amount = fields.Monetary(required=True)
    reason = fields.Char(required=True)
    # Kept on the record, not read from the context at the end: Odoo 11
    # replays a call that lost a row race without its context.
    from_invoice = fields.Boolean(
        default=lambda self: bool(
            self.env.context.get("wechatpay_from_invoice")))
    destination = fields.Selection([
        ("original", "WeChat Pay (original payment)"),
        ("wallet", "Customer Wallet"),
    ], required=True, default="original")

    @api.depends("transaction_id")
    def _compute_left(self):
        for wizard in self:
            tx = wizard.transaction_id
            wizard.paid = fen_to_yuan(tx.wechatpay_total_fee)
            wizard.refundable = fen_to_yuan(
                tx.wechatpay_total_fee - tx.wechatpay_refunded_fee)

    @api.multi
    def action_refund(self):
        self.ensure_one()
        amount_fen = yuan_to_fen(self.amount)
        if amount_fen <= 0:
            raise UserError(_("Enter an amount to refund."))
        refund = self.env["wechatpay.refund"]._request(
            self.transaction_id, amount_fen, self.reason, self.destination)
        if self.from_invoice:
            # The accountant stays on the invoice; the refund is listed
            # in its WeChat Pay tab.
            return {"type": "ir.actions.act_window_close"}
        return {
            "type": "ir.actions.act_window",
            "res_model": "wechatpay.refund",
            "res_id": refund.id,
            "view_mode": "form",
            "target": "current",
        }
