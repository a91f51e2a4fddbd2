# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class AuctionUserCoupon(models.Model):
    """A claimed coupon: unused, used on a won lot's order, or expired."""

    _name = "auction.user.coupon"
    _description = "Claimed Coupon"
    _order = "id desc"

    coupon_id = fields.Many2one("auction.coupon", required=True,
                                index=True, readonly=True,
                                ondelete="cascade")
    session_id = fields.Many2one(related="coupon_id.session_id",
                                 store=True, readonly=True)
    amount_fen = fields.Integer(related="coupon_id.amount_fen",
                                readonly=True)
    partner_id = fields.Many2one("res.partner", required=True, index=True,
                                 readonly=True)
    state = fields.Selection([
        ("unused", "Unused"),
        ("used", "Used"),
        ("expired", "Expired"),
    ], default="unused", required=True, readonly=True, index=True)
    expires_at = fields.Datetime(readonly=True, index=True)
    order_id = fields.Many2one("sale.order", readonly=True)

    _sql_constraints = [
        ("one_per_user", "unique(coupon_id, partner_id)",
         "One coupon per user."),
    ]

    @api.model
    def _cron_expire(self, limit=1000):
        """Unused coupons past their validity, in bounded batches."""
        coupons = self.search([("state", "=", "unused"),
                               ("expires_at", "<=", fields.Datetime.now())],
                              limit=limit)
        coupons.write({"state": "expired"})
        return len(coupons)
