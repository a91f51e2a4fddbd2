# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _

from odoo.addons.base_wechat_miniprogram.exceptions import MpNotFound
from odoo.addons.base_wechat_miniprogram.services.base_service import (
    page_schema, pagination_schema)
from odoo.addons.component.core import Component
from odoo.addons.payment_wechatpay.services.payment_service import (
    PAY_RESULT_SCHEMA)

from .common import (
    ENTRY_SCHEMA, ISO_REGEX, LOTTERY_SCHEMA, PRIZE_SCHEMA, entry_json,
    lottery_json, parse_iso, prize_json)

DETAIL_SCHEMA = dict(LOTTERY_SCHEMA, **{
    "amount_fen": {"type": "integer", "required": True},
    "refunded_fen": {"type": "integer", "required": True},
    "fallback": {"type": "string", "nullable": True},
    "unclaimed": {"type": "string", "required": True},
    "prizes": {"type": "list", "schema": {"type": "dict", "schema": dict(
        PRIZE_SCHEMA, winner={"type": "string"})}},
})
JOINER_SCHEMA = dict(ENTRY_SCHEMA, **{
    "name": {"type": "string", "required": True},
    "avatar_url": {"type": "string", "required": True},
})


class GiftLotteryService(Component):
    """The buyer's side: create a lottery from a gift, pay it, follow its
    joiners, winners and claims."""

    _name = "mp.gift.lottery.service"
    _inherit = "mp.base.service"
    _usage = "gift_lotteries"
    _description = "My gift lotteries (送礼): create, pay, follow."
    _mp_get_methods = ("joiners",)

    # A REST verb of base_rest, not the ORM's create.
    def create(self, product_id, quantity, method,  # pylint: disable=W8106
               wish=None, draw_at=None, full_count=None, deadline=None,
               fallback="draw", unclaimed="next"):
        product = self.env["product.product"].browse(product_id).exists()
        if not product:
            raise MpNotFound(_("Gift not found."))
        lottery = self.env["gift.lottery"]._mp_create(
            self.partner, product, quantity, wish, method,
            draw_at=parse_iso(draw_at, "draw_at"), full_count=full_count,
            deadline=parse_iso(deadline, "deadline"), fallback=fallback,
            unclaimed=unclaimed)
        return self._detail(lottery)

    def search(self, page, size, state=None):
        domain = [("partner_id", "=", self.partner.id)]
        if state:
            domain.append(("state", "=", state))
        lotteries, total = self._paginate(
            self.env["gift.lottery"], domain, page, size)
        return self._page(lotteries, total, page, size, self._item)

    def get(self, _id):
        return self._detail(self._lottery(_id))

    def pay(self, _id, method="wechatpay"):
        return self._lottery(_id)._mp_pay(method, self._client_ip())

    def joiners(self, _id, page, size):
        lottery = self._lottery(_id)
        entries, total = self._paginate(
            self.env["gift.lottery.entry"], [("lottery_id", "=", lottery.id)],
            page, size, order="sequence")
        return self._page(entries, total, page, size, lambda e: dict(
            entry_json(e), name=e.partner_id._mp_public_name(),
            avatar_url=e.partner_id.mp_avatar_url or ""))

    def _lottery(self, _id):
        lottery = self.env["gift.lottery"].search([
            ("id", "=", _id), ("partner_id", "=", self.partner.id)])
        if not lottery:
            raise MpNotFound(_("Lottery not found."))
        return lottery

    def _item(self, lottery):
        return dict(lottery_json(lottery, self.partner), id=lottery.id)

    def _detail(self, lottery):
        result = self._item(lottery)
        result.update({
            "amount_fen": lottery.amount_fen,
            "refunded_fen": lottery.refunded_fen,
            "fallback": lottery.fallback if lottery.method == "full"
            else None,
            "unclaimed": lottery.unclaimed,
            "prizes": [dict(prize_json(p, self.partner), address=None,
                            winner=p.partner_id._mp_public_name())
                       for p in lottery.prize_ids],
        })
        return result

    def _validator_create(self):
        return {
            "product_id": {"type": "integer", "required": True, "min": 1},
            "quantity": {"type": "integer", "required": True, "min": 1,
                         "max": 100000},
            "method": {"type": "string", "required": True,
                       "allowed": ["timed", "full", "direct"]},
            "wish": {"type": "string", "nullable": True, "maxlength": 200},
            "draw_at": {"type": "string", "nullable": True,
                        "regex": ISO_REGEX},
            "full_count": {"type": "integer", "nullable": True, "min": 1,
                           "max": 100000},
            "deadline": {"type": "string", "nullable": True,
                         "regex": ISO_REGEX},
            "fallback": {"type": "string", "allowed": ["draw", "refund"]},
            "unclaimed": {"type": "string", "allowed": ["next", "buyer"]},
        }

    def _validator_return_create(self):
        return DETAIL_SCHEMA

    def _validator_search(self):
        schema = pagination_schema()
        schema["state"] = {"type": "string", "allowed": [
            "draft", "open", "drawn", "done", "cancel"]}
        return schema

    def _validator_return_search(self):
        return page_schema(LOTTERY_SCHEMA)

    def _validator_get(self):
        return {}

    def _validator_return_get(self):
        return DETAIL_SCHEMA

    def _validator_pay(self):
        return {"method": {"type": "string",
                           "allowed": ["wechatpay", "wallet"]}}

    def _validator_return_pay(self):
        return PAY_RESULT_SCHEMA

    def _validator_joiners(self):
        return pagination_schema(50)

    def _validator_return_joiners(self):
        return page_schema(JOINER_SCHEMA)
