# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class SaleOrder(models.Model):
    """The buyer's order of a lottery's items: paying it opens the
    lottery; an order whose payment time ran out cancels it (a late
    payment is refunded by payment_wechatpay)."""

    _inherit = "sale.order"

    gift_lottery_id = fields.Many2one(
        "gift.lottery", string="Gift Lottery", readonly=True, copy=False,
        index=True)

    @api.multi
    def action_confirm(self):
        result = super(SaleOrder, self).action_confirm()
        self.mapped("gift_lottery_id")._payment_received()
        return result

    @api.multi
    def _wechatpay_payment_cancelled(self, transaction):
        self.mapped("gift_lottery_id")._payment_cancelled()
        return super(SaleOrder, self)._wechatpay_payment_cancelled(
            transaction)
