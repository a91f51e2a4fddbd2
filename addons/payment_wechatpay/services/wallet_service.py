# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.addons.base_wechat_miniprogram.services.base_service import (
    page_schema, pagination_schema)
from odoo.addons.component.core import Component

ENTRY_SCHEMA = {
    "id": {"type": "integer", "required": True},
    "kind": {"type": "string", "required": True},
    "amount_fen": {"type": "integer", "required": True},
    "balance_after_fen": {"type": "integer", "required": True},
    "reference": {"type": "string", "nullable": True},
    "created_at": {"type": "string", "nullable": True},
}
PAYOUT_SCHEMA = {
    "id": {"type": "integer", "required": True},
    "state": {"type": "string", "required": True},
    "amount_fen": {"type": "integer", "required": True},
    "partner_trade_no": {"type": "string", "required": True},
}


class WalletService(Component):
    """The caller's wallet: ``GET /mp/v1/wallet`` (balance and a page of
    the ledger, newest first) and ``POST /mp/v1/wallet/withdraw``."""

    _name = "mp.wallet.service"
    _inherit = "mp.base.service"
    _usage = "wallet"
    _description = "The caller's wallet balance and history."

    def search(self, page, size):
        wallet = self._wallet()
        entries, total = self._paginate(
            self.env["wechatpay.wallet.entry"],
            [("wallet_id", "=", wallet.id)], page, size)
        result = self._page(entries, total, page, size, self._entry_json)
        result["balance_fen"] = wallet.balance_fen
        return result

    def withdraw(self, amount_fen):
        """Pay ``amount_fen`` of the balance to the caller's WeChat
        change; 409 when the balance is short or payouts are not
        allowed."""
        payout = self.env["wechatpay.payout"]._mp_withdraw(
            self.partner, amount_fen, self._company())
        return {"id": payout.id, "state": payout.state,
                "amount_fen": payout.amount_fen,
                "partner_trade_no": payout.name}

    def _company(self):
        return self.partner.company_id or self.env.user.company_id

    def _wallet(self):
        return self.env["wechatpay.wallet"]._of(
            self.partner.commercial_partner_id, self._company())

    def _entry_json(self, entry):
        return {
            "id": entry.id,
            "kind": entry.kind,
            "amount_fen": entry.amount_fen,
            "balance_after_fen": entry.balance_after_fen,
            "reference": entry.name or None,
            "created_at": self.partner._mp_iso(entry.create_date),
        }

    def _validator_search(self):
        return pagination_schema()

    def _validator_return_search(self):
        schema = page_schema(ENTRY_SCHEMA)
        schema["balance_fen"] = {"type": "integer", "required": True}
        return schema

    def _validator_withdraw(self):
        return {"amount_fen": {"type": "integer", "required": True,
                               "min": 1, "max": 100000000}}

    def _validator_return_withdraw(self):
        return PAYOUT_SCHEMA
