# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class SaleOrderLine(models.Model):
    """The deposit and coupon lines of a winner's order point at what
    they apply."""

    _inherit = "sale.order.line"

    auction_deposit_id = fields.Many2one("auction.deposit", readonly=True)
    auction_coupon_id = fields.Many2one("auction.user.coupon",
                                        readonly=True)
