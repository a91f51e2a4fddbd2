# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _

from odoo.addons.base_wechat_miniprogram.exceptions import MpNotFound
from odoo.addons.base_wechat_miniprogram.services.base_service import (
    page_schema, pagination_schema)
from odoo.addons.component.core import Component
from odoo.addons.payment_wechatpay.services.payment_service import (
    PAY_RESULT_SCHEMA)

DEPOSIT_SCHEMA = {
    "id": {"type": "integer", "required": True},
    "session_id": {"type": "integer", "required": True},
    "lot_id": {"type": "integer", "nullable": True},
    "amount_fen": {"type": "integer", "required": True},
    "state": {"type": "string", "required": True},
    "method": {"type": "string", "required": True},
}


class DepositService(Component):
    """The caller's deposits: pay one (``POST /mp/v1/auction_deposits``)
    and list them."""

    _name = "mp.auction.deposit.service"
    _inherit = "mp.base.service"
    _usage = "auction_deposits"
    _description = "Auction deposits (保证金)."

    # A REST verb of base_rest, not the ORM's create.
    def create(self, session_id, lot_id=None,  # pylint: disable=W8106
               method="wechatpay"):
        session = self.env["auction.session"].search([
            ("id", "=", session_id), ("published", "=", True),
            ("company_id", "=", self.env.user.company_id.id)])
        lot = self.env["auction.lot"].search([
            ("id", "=", lot_id), ("session_id", "=", session.id)]) \
            if lot_id else self.env["auction.lot"]
        if not session or (lot_id and not lot):
            raise MpNotFound(_("Session or lot not found."))
        deposit, payment = self.env["auction.deposit"]._mp_pay(
            self.partner, session, lot, method, self._client_ip())
        result = self._to_json(deposit)
        result["payment"] = payment
        return result

    def search(self, page, size):
        deposits, total = self._paginate(
            self.env["auction.deposit"],
            [("partner_id", "=", self.partner.id)], page, size)
        return self._page(deposits, total, page, size, self._to_json)

    @staticmethod
    def _to_json(deposit):
        return {
            "id": deposit.id,
            "session_id": deposit.session_id.id,
            "lot_id": deposit.lot_id.id or None,
            "amount_fen": deposit.amount_fen,
            "state": deposit.state,
            "method": deposit.method,
        }

    def _validator_create(self):
        return {
            "session_id": {"type": "integer", "required": True, "min": 1},
            "lot_id": {"type": "integer", "min": 1, "nullable": True},
            "method": {"type": "string", "allowed": ["wechatpay", "wallet"],
                       "default": "wechatpay"},
        }

    def _validator_return_create(self):
        return dict(DEPOSIT_SCHEMA, payment={
            "type": "dict", "schema": PAY_RESULT_SCHEMA})

    def _validator_search(self):
        return pagination_schema()

    def _validator_return_search(self):
        return page_schema(DEPOSIT_SCHEMA)
