# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class SaleOrderLine(models.Model):
    """A lottery's items are not shipped to the buyer who paid for them:
    each prize ships to its winner when claimed."""

    _inherit = "sale.order.line"

    @api.multi
    def _action_launch_procurement_rule(self):
        return super(SaleOrderLine, self.filtered(
            lambda line: not line.order_id.gift_lottery_id,
        ))._action_launch_procurement_rule()
