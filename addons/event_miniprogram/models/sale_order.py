# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class SaleOrder(models.Model):
    """The fee of a paid sign-up, paid through payment_wechatpay.

    Paying confirms the order (payment_wechatpay), which admits the
    sign-up; an order whose payment time ran out cancels its sign-up;
    a payment that arrives after that retakes a free seat, or is refunded
    by payment_wechatpay.
    """

    _inherit = "sale.order"

    mp_registration_ids = fields.One2many(
        "event.registration", "sale_order_id",
        string="Mini-Program Sign-ups",
        domain=[("mp_joined", "=", True)])

    @api.multi
    def action_confirm(self):
        result = super(SaleOrder, self).action_confirm()
        self.mapped("mp_registration_ids").filtered(
            lambda r: r.mp_stage == "to_pay")._mp_payment_received()
        return result

    @api.multi
    def _wechatpay_payment_cancelled(self, transaction):
        self.mapped("mp_registration_ids").filtered(
            lambda r: r.mp_stage == "to_pay")._mp_cancel_unpaid()
        return super(SaleOrder, self)._wechatpay_payment_cancelled(
            transaction)

    @api.multi
    def _wechatpay_take_late_payment(self, transaction):
        """A payment after the sign-up was cancelled as unpaid takes the
        seat back if the activity still has one for the user."""
        registrations = self.mapped("mp_registration_ids")
        if not registrations:
            return super(SaleOrder, self)._wechatpay_take_late_payment(
                transaction)
        for registration in registrations:
            if not registration._mp_retake_seat():
                return False
        return True
