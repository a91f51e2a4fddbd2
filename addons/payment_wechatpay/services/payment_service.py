# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _

from odoo.addons.base_wechat_miniprogram.exceptions import MpNotFound
from odoo.addons.component.core import Component

REQUEST_PAYMENT_SCHEMA = {
    "type": "dict", "nullable": True, "schema": {
        key: {"type": "string", "required": True}
        for key in ("timeStamp", "nonceStr", "package", "signType",
                    "paySign")}}
PAY_RESULT_SCHEMA = {
    "method": {"type": "string", "required": True},
    "state": {"type": "string", "required": True},
    "amount_fen": {"type": "integer", "required": True},
    "transaction_id": {"type": "integer"},
    "out_trade_no": {"type": "string"},
    "expire_at": {"type": "string", "nullable": True},
    "request_payment": REQUEST_PAYMENT_SCHEMA,
}
TRANSACTION_SCHEMA = {
    "id": {"type": "integer", "required": True},
    "order_id": {"type": "integer", "nullable": True},
    "state": {"type": "string", "required": True},
    "amount_fen": {"type": "integer", "required": True},
    "refunded_fen": {"type": "integer", "required": True},
    "out_trade_no": {"type": "string", "required": True},
    "expire_at": {"type": "string", "nullable": True},
    "paid_at": {"type": "string", "nullable": True},
}


class PaymentService(Component):
    """Paying the caller's orders: ``POST /mp/v1/payments`` opens (or
    reuses) a WeChat payment or pays from the wallet; ``GET
    /mp/v1/payments/<id>`` follows a WeChat payment, and ``POST
    /mp/v1/payments/<id>/refresh`` asks WeChat when the notify is late."""

    _name = "mp.payment.service"
    _inherit = "mp.base.service"
    _usage = "payments"
    _description = "Pay an order by WeChat Pay or with the wallet."

    # A REST verb of base_rest, not the ORM's create.
    def create(self, order_id, method="wechatpay"):  # pylint: disable=W8106
        """Pay the caller's quotation ``order_id``."""
        order = self.env["sale.order"].search([
            ("id", "=", order_id),
            ("partner_id", "child_of", self.partner.id)])
        if not order:
            raise MpNotFound(_("Order not found."))
        return order._wechatpay_pay(
            method, client_ip=self._client_ip())

    def get(self, _id):
        return self._to_json(self._transaction(_id))

    def refresh(self, _id):
        """Ask WeChat about a pending payment now."""
        tx = self._transaction(_id)
        tx._wechatpay_refresh()
        return self._to_json(tx)

    def _transaction(self, tx_id):
        tx = self.env["payment.transaction"].search([
            ("id", "=", tx_id), ("provider", "=", "wechatpay"),
            ("partner_id", "child_of", self.partner.id)])
        if not tx:
            raise MpNotFound(_("Payment not found."))
        return tx

    def _to_json(self, tx):
        iso = self.partner._mp_iso
        return {
            "id": tx.id,
            "order_id": tx.sale_order_id.id or None,
            "state": tx.state,
            "amount_fen": tx.wechatpay_total_fee,
            "refunded_fen": tx.wechatpay_refunded_fee,
            "out_trade_no": tx.wechatpay_out_trade_no or "",
            "expire_at": iso(tx.wechatpay_expire_at),
            "paid_at": iso(tx.wechatpay_paid_at),
        }

    def _validator_create(self):
        return {
            "order_id": {"type": "integer", "required": True, "min": 1},
            "method": {"type": "string", "allowed": ["wechatpay", "wallet"],
                       "default": "wechatpay"},
        }

    def _validator_return_create(self):
        return PAY_RESULT_SCHEMA

    def _validator_get(self):
        return {}

    def _validator_return_get(self):
        return TRANSACTION_SCHEMA

    def _validator_refresh(self):
        return {}

    def _validator_return_refresh(self):
        return TRANSACTION_SCHEMA
