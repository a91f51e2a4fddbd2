# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class GiftCategory(models.Model):
    """A shelf of the gift catalogue (the mini-program's category tabs)."""

    _name = "gift.category"
    _description = "Gift Category"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    product_ids = fields.One2many(
        "product.template", "gift_category_id", string="Gifts")
    product_count = fields.Integer(
        string="Gifts", compute="_compute_product_count")

    @api.depends("product_ids")
    def _compute_product_count(self):
        data = self.env["product.template"].read_group(
            [("gift_category_id", "in", self.ids), ("gift_ok", "=", True)],
            ["gift_category_id"], ["gift_category_id"])
        counts = {row["gift_category_id"][0]: row["gift_category_id_count"]
                  for row in data}
        for category in self:
            category.product_count = counts.get(category.id, 0)
