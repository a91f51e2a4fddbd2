# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _

from odoo.addons.base_wechat_miniprogram.exceptions import MpNotFound
from odoo.addons.base_wechat_miniprogram.services.base_service import (
    MAX_INTEGER, page_schema, pagination_schema)
from odoo.addons.base_wechat_miniprogram.tools import run_read_committed
from odoo.addons.component.core import Component

from ..models.auction_lot_image import URL as IMAGE_URL

LOT_SCHEMA = {
    "id": {"type": "integer", "required": True},
    "session_id": {"type": "integer", "required": True},
    "catalogue_no": {"type": "string", "required": True},
    "title": {"type": "string", "required": True},
    "state": {"type": "string", "required": True},
    "image_url": {"type": "string", "nullable": True},
    "start_fen": {"type": "integer", "required": True},
    "current_fen": {"type": "integer", "required": True},
    "next_min_fen": {"type": "integer", "required": True},
    "reference_high_fen": {"type": "integer", "required": True},
    "deposit_fen": {"type": "integer", "required": True},
    "end_at": {"type": "string", "required": True},
    "bid_count": {"type": "integer", "required": True},
    "view_count": {"type": "integer", "required": True},
}
DETAIL_SCHEMA = dict(LOT_SCHEMA, **{
    "description": {"type": "string", "required": True},
    "images": {"type": "list", "schema": {"type": "dict", "schema": {
        "url": {"type": "string"}, "carousel": {"type": "boolean"}}}},
    "specs": {"type": "list", "schema": {"type": "dict", "schema": {
        "key": {"type": "string"}, "value": {"type": "string"}}}},
    "my_deposit": {"type": "boolean", "required": True},
    "my_leading": {"type": "boolean", "required": True},
    "hammer_fen": {"type": "integer", "nullable": True},
})
BID_SCHEMA = {
    "id": {"type": "integer", "required": True},
    "name": {"type": "string", "required": True},
    "amount_fen": {"type": "integer", "required": True},
    "proxy": {"type": "boolean", "required": True},
    "at": {"type": "string", "required": True},
    "mine": {"type": "boolean", "required": True},
}


class LotService(Component):
    """Lots of a session, one lot (counted as a view), its bid history
    with masked names, and bidding."""

    _name = "mp.auction.lot.service"
    _inherit = "mp.base.service"
    _usage = "auction_lots"
    _description = "Auction lots (拍品): browse and bid."
    _mp_get_methods = ("bids", "viewed")

    def search(self, page, size, session_id):
        lots, total = self._paginate(
            self.env["auction.lot"], self._domain() + [
                ("session_id", "=", session_id)], page, size)
        ladders = {}
        return self._page(lots, total, page, size,
                          lambda lot: self._to_json(lot, ladders))

    def get(self, _id):
        lot = self._lot(_id)
        self.env["auction.lot.view"]._record(lot, self.partner)
        result = self._to_json(lot)
        result.update({
            "description": lot.description or "",
            "images": [{"url": IMAGE_URL % image.id,
                        "carousel": image.carousel}
                       for image in lot.image_ids],
            "specs": [{"key": spec.name, "value": spec.value}
                      for spec in lot.spec_ids],
            "my_deposit": bool(self.env["auction.deposit"]._covering(
                self.partner, lot)),
            "my_leading": lot.top_bid_id.partner_id == self.partner,
            "hammer_fen": lot.hammer_fen or None,
        })
        return result

    def bids(self, _id, page, size):
        lot = self._lot(_id)
        bids, total = self._paginate(
            self.env["auction.bid"], [("lot_id", "=", lot.id)], page, size)
        return self._page(bids, total, page, size, lambda bid: {
            "id": bid.id,
            "name": bid.partner_id._mp_public_name(),
            "amount_fen": bid.amount_fen,
            "proxy": bid.proxy,
            "at": self.partner._mp_iso(bid.create_date),
            "mine": bid.partner_id == self.partner,
        })

    def viewed(self, page, size):
        """The caller's browse records, latest first."""
        views, total = self._paginate(
            self.env["auction.lot.view"],
            [("partner_id", "=", self.partner.id)], page, size)
        ladders = {}
        return self._page(views, total, page, size,
                          lambda view: self._to_json(view.lot_id, ladders))

    def bid(self, _id, amount_fen, key, max_fen=None):
        """Bid ``amount_fen`` (``key``: the client's idempotency key; the
        same key answers the same bid). ``max_fen`` leaves a hidden
        maximum that bids for you."""
        lot_id = self._lot(_id).id
        partner_id = self.partner.id

        notices = []

        def decide(env):
            # Its own READ COMMITTED transaction: bidders of one lot queue
            # on its lock instead of replaying (see run_read_committed).
            del notices[:]  # a replayed decision starts afresh
            lot = env["auction.lot"].browse(lot_id)
            partner = env["res.partner"].browse(partner_id)
            bid = lot._place_bid(partner, amount_fen, key, max_fen=max_fen,
                                 notices=notices)
            return {"bid_id": bid.id, "amount_fen": bid.amount_fen,
                    "current_fen": lot.current_fen,
                    "leading": lot.top_bid_id.partner_id == partner,
                    "end_at": partner._mp_iso(lot.end_at)}
        result = run_read_committed(self.env, decide)
        # Messages after the decision's commit, off the lot's lock.
        self.env["auction.lot"].browse(lot_id)._tell_outbid(notices)
        return result

    def _domain(self):
        return [("session_id.published", "=", True),
                ("company_id", "=", self.env.user.company_id.id)]

    def _lot(self, lot_id):
        lot = self.env["auction.lot"].search(
            self._domain() + [("id", "=", lot_id)])
        if not lot:
            raise MpNotFound(_("Lot not found."))
        return lot

    def _to_json(self, lot, ladders=None):
        """``ladders``: increment ladders by session, shared by a page of
        lots so that each session's is read once."""
        image = lot.image_ids[:1]
        ladders = {} if ladders is None else ladders
        if lot.session_id.id not in ladders:
            ladders[lot.session_id.id] = self.env[
                "auction.increment"]._ladder(lot.session_id)
        return {
            "id": lot.id,
            "session_id": lot.session_id.id,
            "catalogue_no": lot.catalogue_no,
            "title": lot.name,
            "state": lot.state,
            "image_url": IMAGE_URL % image.id if image else None,
            "start_fen": lot.start_fen,
            "current_fen": lot.current_fen,
            "next_min_fen": lot._min_next_fen(ladders[lot.session_id.id]),
            "reference_high_fen": lot.reference_high_fen,
            "deposit_fen": lot.deposit_fen,
            "end_at": self.partner._mp_iso(lot.end_at),
            "bid_count": lot.bid_count,
            "view_count": lot.view_count,
        }

    def _validator_search(self):
        schema = pagination_schema()
        schema["session_id"] = {"type": "integer", "coerce": int,
                                "required": True}
        return schema

    def _validator_return_search(self):
        return page_schema(LOT_SCHEMA)

    def _validator_get(self):
        return {}

    def _validator_return_get(self):
        return DETAIL_SCHEMA

    def _validator_bids(self):
        return pagination_schema()

    def _validator_return_bids(self):
        return page_schema(BID_SCHEMA)

    def _validator_viewed(self):
        return pagination_schema()

    def _validator_return_viewed(self):
        return page_schema(LOT_SCHEMA)

    def _validator_bid(self):
        return {
            "amount_fen": {"type": "integer", "required": True, "min": 1,
                           "max": MAX_INTEGER},
            "key": {"type": "string", "required": True, "empty": False,
                    "maxlength": 64},
            "max_fen": {"type": "integer", "min": 1, "max": MAX_INTEGER,
                        "nullable": True},
        }

    def _validator_return_bid(self):
        return {"bid_id": {"type": "integer", "required": True},
                "amount_fen": {"type": "integer", "required": True},
                "current_fen": {"type": "integer", "required": True},
                "leading": {"type": "boolean", "required": True},
                "end_at": {"type": "string", "required": True}}
