# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

#: Where the mini-program loads a lot image from (public, see the rule).
URL = "/web/image/auction.lot.image/%d/image"


class AuctionLotImage(models.Model):
    """An image of a lot, in order; carousel images open the lot page."""

    _name = "auction.lot.image"
    _description = "Lot Image"
    _order = "sequence, id"

    lot_id = fields.Many2one("auction.lot", required=True, index=True,
                             ondelete="cascade")
    sequence = fields.Integer(default=10)
    image = fields.Binary(required=True, attachment=True)
    carousel = fields.Boolean(string="In Carousel")
    published = fields.Boolean(related="lot_id.session_id.published",
                               store=True, readonly=True)
