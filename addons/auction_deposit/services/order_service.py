# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _

from odoo.addons.base_wechat_miniprogram.exceptions import MpNotFound
from odoo.addons.component.core import Component
from odoo.addons.payment_wechatpay.services.payment_service import (
    PAY_RESULT_SCHEMA)

#: The seed's order groups: unpaid, awaiting delivery, done, overdue.
GROUPS = ("unpaid", "awaiting_delivery", "done", "overdue")
ORDER_SCHEMA = {
    "id": {"type": "integer", "required": True},
    "lot_id": {"type": "integer", "required": True},
    "title": {"type": "string", "required": True},
    "amount_fen": {"type": "integer", "required": True},
    "due_at": {"type": "string", "nullable": True},
    "group": {"type": "string", "required": True},
    "shipping": {"type": "string", "nullable": True},
    "carrier": {"type": "string", "nullable": True},
    "tracking": {"type": "string", "nullable": True},
}


class AuctionOrderService(Component):
    """The caller's won lots: ``GET /mp/v1/auction_orders`` grouped as the
    seed's order list, and paying one."""

    _name = "mp.auction.order.service"
    _inherit = "mp.base.service"
    _usage = "auction_orders"
    _description = "My won lots (orders): list by state, pay."

    def search(self):
        orders = self.env["sale.order"].search(self._domain(),
                                               order="id desc", limit=200)
        result = {group: [] for group in GROUPS}
        for order in orders:
            item = self._to_json(order)
            result[item["group"]].append(item)
        return result

    def pay(self, _id, method="wechatpay", coupon_id=None, address_id=None):
        """Pay a won lot (see ``sale.order._auction_pay``), shipped to one
        of the caller's addresses."""
        order = self.env["sale.order"].search(
            self._domain() + [("id", "=", _id)])
        if not order:
            raise MpNotFound(_("Order not found."))
        if address_id:
            address = self.env["res.partner"].search([
                ("id", "=", address_id), ("parent_id", "=", self.partner.id),
                ("type", "=", "delivery")])
            if not address:
                raise MpNotFound(_("Address not found."))
            order._auction_ship_to(address)
        coupon = self.env["auction.user.coupon"]
        if coupon_id:
            coupon = coupon.search([("id", "=", coupon_id),
                                    ("partner_id", "=", self.partner.id)])
            if not coupon:
                raise MpNotFound(_("Coupon not found."))
        return order._auction_pay(
            method, coupon, self._client_ip())

    def receive(self, _id):
        """Confirm the won lot arrived."""
        order = self.env["sale.order"].search(
            self._domain() + [("id", "=", _id)])
        if not order:
            raise MpNotFound(_("Order not found."))
        order._auction_receive()
        return self._to_json(order)

    def _domain(self):
        return [("partner_id", "=", self.partner.id),
                ("auction_lot_id", "!=", False)]

    def _to_json(self, order):
        if order.state in ("draft", "sent"):
            group = "unpaid"
        elif order.state == "cancel":
            group = "overdue"
        else:
            group = "done" if order.auction_shipping == "received" \
                else "awaiting_delivery"
        return {
            "id": order.id,
            "lot_id": order.auction_lot_id.id,
            "title": order.auction_lot_id.name,
            "amount_fen": order.wechatpay_amount_fen,
            "due_at": self.partner._mp_iso(order.auction_due_at),
            "group": group,
            "shipping": order.auction_shipping,
            "carrier": order.auction_carrier or None,
            "tracking": order.auction_tracking or None,
        }

    def _validator_search(self):
        return {}

    def _validator_return_search(self):
        return {group: {"type": "list", "required": True, "schema": {
            "type": "dict", "schema": ORDER_SCHEMA}} for group in GROUPS}

    def _validator_pay(self):
        return {
            "method": {"type": "string", "allowed": ["wechatpay", "wallet"],
                       "default": "wechatpay"},
            "coupon_id": {"type": "integer", "min": 1, "nullable": True},
            "address_id": {"type": "integer", "min": 1, "nullable": True},
        }

    def _validator_return_pay(self):
        return PAY_RESULT_SCHEMA

    def _validator_receive(self):
        return {}

    def _validator_return_receive(self):
        return ORDER_SCHEMA
