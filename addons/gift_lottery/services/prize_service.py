# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _

from odoo.addons.base_wechat_miniprogram.exceptions import MpNotFound
from odoo.addons.base_wechat_miniprogram.services.base_service import (
    address_input_schema, page_schema, pagination_schema)
from odoo.addons.component.core import Component

from .common import PRIZE_SCHEMA, prize_json


class GiftPrizeService(Component):
    """The caller's prizes: list, detail (tracking) and the claim with a
    shipping address."""

    _name = "mp.gift.prize.service"
    _inherit = "mp.base.service"
    _usage = "gift_prizes"
    _description = "My prizes (领奖): claim with an address, track."

    def search(self, page, size):
        prizes, total = self._paginate(
            self.env["gift.lottery.prize"],
            [("partner_id", "=", self.partner.id)], page, size)
        return self._page(prizes, total, page, size,
                          lambda p: prize_json(p, self.partner))

    def get(self, _id):
        return prize_json(self._prize(_id), self.partner)

    def claim(self, _id, **address):
        prize = self._prize(_id)._claim(self.partner, address)
        return prize_json(prize, self.partner)

    def _prize(self, _id):
        prize = self.env["gift.lottery.prize"].search([
            ("id", "=", _id), ("partner_id", "=", self.partner.id)])
        if not prize:
            raise MpNotFound(_("Prize not found."))
        return prize

    def _validator_search(self):
        return pagination_schema()

    def _validator_return_search(self):
        return page_schema(PRIZE_SCHEMA)

    def _validator_get(self):
        return {}

    def _validator_return_get(self):
        return PRIZE_SCHEMA

    def _validator_claim(self):
        return address_input_schema()

    def _validator_return_claim(self):
        return PRIZE_SCHEMA
