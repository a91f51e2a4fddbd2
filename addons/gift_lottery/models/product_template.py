# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ProductTemplate(models.Model):
    """Products sold as gifts in the mini-program's catalogue."""

    _inherit = "product.template"

    gift_ok = fields.Boolean(
        string="Sold as a Gift", index=True,
        help="Listed in the mini-program's gift catalogue; buyers share "
             "what they buy as a lottery.")
    gift_category_id = fields.Many2one(
        "gift.category", string="Gift Category", index=True)
    gift_home = fields.Boolean(
        string="On the Home Page",
        help="Shown in the mini-program's home list.")
    gift_sequence = fields.Integer(string="Gift Order", default=10)
