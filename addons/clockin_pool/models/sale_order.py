# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class SaleOrder(models.Model):
    """Stake orders: their payment makes the entry a participant; an
    expired payment releases the entry."""

    _inherit = "sale.order"

    clockin_entry_ids = fields.One2many(
        "clockin.entry", "order_id", string="Clock-in Entries")

    @api.multi
    def action_confirm(self):
        result = super(SaleOrder, self).action_confirm()
        self.mapped("clockin_entry_ids")._mark_paid()
        return result

    @api.multi
    def _wechatpay_payment_cancelled(self, transaction):
        self.mapped("clockin_entry_ids")._cancel_unpaid()
        return super(SaleOrder, self)._wechatpay_payment_cancelled(
            transaction)

    @api.multi
    def _wechatpay_take_late_payment(self, transaction):
        """A stake paid after its entry lapsed still counts while the
        round takes entries and the user has no other one."""
        entries = self.mapped("clockin_entry_ids").filtered(
            lambda e: e.state == "cancelled")
        if entries:
            return entries[0]._retake()
        return super(SaleOrder, self)._wechatpay_take_late_payment(
            transaction)
