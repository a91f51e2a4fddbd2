# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AuctionLotSpec(models.Model):
    """A key/value specification of a lot (size, material, era...)."""

    _name = "auction.lot.spec"
    _description = "Lot Specification"
    _order = "sequence, id"

    lot_id = fields.Many2one("auction.lot", required=True, index=True,
                             ondelete="cascade")
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Key", required=True, translate=True)
    value = fields.Char(required=True, translate=True)
