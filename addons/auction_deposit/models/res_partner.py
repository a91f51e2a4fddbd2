# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ResPartner(models.Model):
    """Bidders: their unpaid wins count against them."""

    _inherit = "res.partner"

    auction_default_count = fields.Integer(
        string="Unpaid Auction Wins", readonly=True,
        help="Wins not paid in time. At the company's limit the bidder "
             "can no longer bid.")

    @api.multi
    def _auction_barred(self, company):
        self.ensure_one()
        limit = company.auction_max_defaults
        return bool(limit) and self.auction_default_count >= limit
