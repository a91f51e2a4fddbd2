# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResCompany(models.Model):
    """Guardrails of the gift lotteries, per company."""

    _inherit = "res.company"

    gift_prize_cap_fen = fields.Integer(
        string="Prize Value Cap (fen)", default=5000000,
        help="The highest value of one prize. China's Anti-Unfair "
             "Competition Law caps a prize-draw sale's top prize at "
             "50,000 CNY.")
    gift_claim_days = fields.Integer(
        string="Days to Claim a Prize", default=7)
    gift_max_items = fields.Integer(
        string="Most Items per Lottery", default=1000)
    gift_wish_banned_words = fields.Text(
        string="Words Refused in Wishes",
        help="One per line. Wishes containing one are refused; "
             "extend _gift_check_wish for WeChat's content check.")
