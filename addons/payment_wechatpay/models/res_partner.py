# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..money import fen_to_yuan


class ResPartner(models.Model):
    """A customer's wallet balance and payouts, for the back office."""

    _inherit = "res.partner"

    wechatpay_wallet_ids = fields.One2many(
        "wechatpay.wallet", "partner_id", string="Wallets")
    wechatpay_balance_fen = fields.Integer(
        string="Wallet Balance (fen)",
        compute="_compute_wechatpay_balance")
    wechatpay_balance = fields.Float(
        string="Wallet Balance", digits=(16, 2),
        compute="_compute_wechatpay_balance")

    @api.depends("wechatpay_wallet_ids.balance_fen")
    def _compute_wechatpay_balance(self):
        company = self.env.user.company_id
        for partner in self:
            fen = sum(partner.wechatpay_wallet_ids.filtered(
                lambda w: w.company_id == company).mapped("balance_fen"))
            partner.wechatpay_balance_fen = fen
            partner.wechatpay_balance = fen_to_yuan(fen)

    @api.multi
    def action_wechatpay_wallet_entries(self):
        self.ensure_one()
        action = self.env.ref(
            "payment_wechatpay.action_wechatpay_wallet_entry").read()[0]
        action["domain"] = [("partner_id", "=", self.id)]
        return action
