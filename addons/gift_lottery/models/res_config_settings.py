# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    gift_prize_cap_fen = fields.Integer(
        related="company_id.gift_prize_cap_fen", readonly=False)
    gift_claim_days = fields.Integer(
        related="company_id.gift_claim_days", readonly=False)
    gift_max_items = fields.Integer(
        related="company_id.gift_max_items", readonly=False)
    gift_wish_banned_words = fields.Text(
        related="company_id.gift_wish_banned_words", readonly=False)
