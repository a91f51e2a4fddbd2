# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.base_wechat_miniprogram.exceptions import MpConflict
from odoo.addons.payment_wechatpay.tools import lock_row


class AuctionCoupon(models.Model):
    """A coupon of a session: ``issued`` of them can be claimed in the
    claim window, one per user; each is valid ``valid_days`` after
    claiming, for a won lot of that session."""

    _name = "auction.coupon"
    _description = "Auction Coupon"
    _order = "claim_start desc, id desc"

    name = fields.Char(required=True, translate=True)
    session_id = fields.Many2one("auction.session", string="Session",
                                 required=True, index=True,
                                 ondelete="cascade")
    amount_fen = fields.Integer(string="Amount (fen)", required=True)
    issued = fields.Integer(string="Number Issued", required=True,
                            default=100)
    claimed = fields.Integer(readonly=True, copy=False)
    claim_start = fields.Datetime(required=True)
    claim_end = fields.Datetime(required=True)
    valid_days = fields.Integer(string="Valid For (days)", default=7)
    user_coupon_ids = fields.One2many("auction.user.coupon", "coupon_id",
                                      string="Claimed")

    _sql_constraints = [
        ("values_positive", "CHECK(amount_fen > 0 AND issued >= 0)",
         "A coupon is worth at least one fen."),
        ("claimed_within_issued", "CHECK(claimed <= issued)",
         "No more coupons can be claimed than were issued."),
    ]

    @api.constrains("claim_start", "claim_end", "valid_days")
    def _check_window(self):
        for coupon in self:
            if coupon.claim_end <= coupon.claim_start or \
                    coupon.valid_days < 1:
                raise ValidationError(_(
                    "The claim window ends after it starts, and a coupon "
                    "is valid at least one day."))

    @api.multi
    def _claim(self, partner):
        """``partner`` claims one, under the coupon's lock: never more than
        issued, one per user (409 otherwise)."""
        self.ensure_one()
        lock_row(self.env.cr, self._table, self.id)
        self.invalidate_cache(ids=self.ids)
        now = fields.Datetime.now()
        if not self.claim_start <= now < self.claim_end:
            raise MpConflict(_("This coupon cannot be claimed now."),
                             "not_claimable")
        UserCoupon = self.env["auction.user.coupon"]
        if UserCoupon.search_count([("coupon_id", "=", self.id),
                                    ("partner_id", "=", partner.id)]):
            raise MpConflict(_("You have this coupon already."), "claimed")
        if self.claimed >= self.issued:
            raise MpConflict(_("All coupons are gone."), "sold_out")
        # Counted only here, under the lock.
        self.sudo().claimed = self.claimed + 1
        return UserCoupon.sudo().create({
            "coupon_id": self.id, "partner_id": partner.id,
            "expires_at": fields.Datetime.to_string(
                fields.Datetime.from_string(now) +
                datetime.timedelta(days=self.valid_days)),
        }).with_env(self.env)
