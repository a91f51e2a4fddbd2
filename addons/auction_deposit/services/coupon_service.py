# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, fields

from odoo.addons.base_wechat_miniprogram.exceptions import MpNotFound
from odoo.addons.component.core import Component

COUPON_SCHEMA = {
    "id": {"type": "integer", "required": True},
    "name": {"type": "string", "required": True},
    "session_id": {"type": "integer", "required": True},
    "amount_fen": {"type": "integer", "required": True},
    "left": {"type": "integer", "required": True},
    "claim_end": {"type": "string", "required": True},
}
MINE_SCHEMA = {
    "id": {"type": "integer", "required": True},
    "name": {"type": "string", "required": True},
    "session_id": {"type": "integer", "required": True},
    "amount_fen": {"type": "integer", "required": True},
    "state": {"type": "string", "required": True},
    "expires_at": {"type": "string", "nullable": True},
}


class AuctionCouponService(Component):
    """Coupons: those claimable now, claiming one, and the caller's."""

    _name = "mp.auction.coupon.service"
    _inherit = "mp.base.service"
    _usage = "auction_coupons"
    _description = "Auction coupons: claim and list mine."
    _mp_get_methods = ("mine",)

    def search(self, session_id=None):
        now = fields.Datetime.now()
        domain = [("claim_start", "<=", now), ("claim_end", ">", now),
                  ("session_id.published", "=", True)]
        if session_id:
            domain.append(("session_id", "=", session_id))
        coupons = self.env["auction.coupon"].search(domain, limit=100)
        iso = self.partner._mp_iso
        return {"items": [{
            "id": coupon.id, "name": coupon.name,
            "session_id": coupon.session_id.id,
            "amount_fen": coupon.amount_fen,
            "left": coupon.issued - coupon.claimed,
            "claim_end": iso(coupon.claim_end),
        } for coupon in coupons]}

    def claim(self, _id):
        coupon = self.env["auction.coupon"].search([
            ("id", "=", _id), ("session_id.published", "=", True)])
        if not coupon:
            raise MpNotFound(_("Coupon not found."))
        return self._mine_json(coupon._claim(self.partner))

    def mine(self):
        coupons = self.env["auction.user.coupon"].search(
            [("partner_id", "=", self.partner.id)], limit=200)
        return {"items": [self._mine_json(c) for c in coupons]}

    def _mine_json(self, user_coupon):
        return {
            "id": user_coupon.id,
            "name": user_coupon.coupon_id.name,
            "session_id": user_coupon.session_id.id,
            "amount_fen": user_coupon.amount_fen,
            "state": user_coupon.state,
            "expires_at": self.partner._mp_iso(user_coupon.expires_at),
        }

    def _validator_search(self):
        return {"session_id": {"type": "integer", "coerce": int, "min": 1}}

    def _validator_return_search(self):
        return {"items": {"type": "list", "required": True, "schema": {
            "type": "dict", "schema": COUPON_SCHEMA}}}

    def _validator_claim(self):
        return {}

    def _validator_return_claim(self):
        return MINE_SCHEMA

    def _validator_mine(self):
        return {}

    def _validator_return_mine(self):
        return {"items": {"type": "list", "required": True, "schema": {
            "type": "dict", "schema": MINE_SCHEMA}}}
