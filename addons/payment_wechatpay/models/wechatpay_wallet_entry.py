# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..money import fen_to_yuan

KINDS = [
    ("refund", "Refund"),
    ("payout_fallback", "Payout to Wallet"),
    ("payout_reversal", "Failed Withdrawal"),
    ("payment", "Payment"),
    ("withdrawal", "Withdrawal"),
]


class WechatpayWalletEntry(models.Model):
    """One line of a wallet's ledger, written only by the wallet.

    ``origin`` names the business record behind it (``model,id``);
    ``payment_id``/``move_id`` the accounting document, so an accountant
    can go from the balance to the journal items.
    """

    _name = "wechatpay.wallet.entry"
    _description = "Customer Wallet Entry"
    _order = "id desc"

    wallet_id = fields.Many2one(
        "wechatpay.wallet", required=True, readonly=True,
        ondelete="restrict", index=True)
    partner_id = fields.Many2one(
        related="wallet_id.partner_id", store=True, readonly=True)
    company_id = fields.Many2one(
        related="wallet_id.company_id", store=True, readonly=True)
    currency_id = fields.Many2one(
        related="wallet_id.currency_id", readonly=True)
    name = fields.Char(string="Reference", readonly=True)
    kind = fields.Selection(KINDS, required=True, readonly=True)
    amount_fen = fields.Integer(string="Amount (fen)", readonly=True)
    amount = fields.Monetary(compute="_compute_amounts", store=True)
    balance_after_fen = fields.Integer(
        string="Balance After (fen)", readonly=True)
    balance_after = fields.Monetary(compute="_compute_amounts", store=True)
    origin = fields.Char(readonly=True)
    payment_id = fields.Many2one(
        "account.payment", string="Accounting Payment", readonly=True)
    move_id = fields.Many2one(
        "account.move", string="Journal Entry", readonly=True)

    @api.depends("amount_fen", "balance_after_fen")
    def _compute_amounts(self):
        for entry in self:
            entry.amount = fen_to_yuan(entry.amount_fen)
            entry.balance_after = fen_to_yuan(entry.balance_after_fen)
