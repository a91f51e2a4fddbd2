# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _

from odoo.addons.base_wechat_miniprogram.exceptions import MpNotFound
from odoo.addons.base_wechat_miniprogram.services.base_service import (
    page_schema, pagination_schema)
from odoo.addons.component.core import Component

SESSION_SCHEMA = {
    "id": {"type": "integer", "required": True},
    "title": {"type": "string", "required": True},
    "state": {"type": "string", "required": True},
    "cover_url": {"type": "string", "nullable": True},
    "video_url": {"type": "string", "nullable": True},
    "preview_start": {"type": "string", "required": True},
    "bidding_start": {"type": "string", "required": True},
    "bidding_end": {"type": "string", "required": True},
    "deposit_fen": {"type": "integer", "required": True},
    "premium_percent": {"type": "float", "required": True},
    "lot_count": {"type": "integer", "required": True},
    "bid_count": {"type": "integer", "required": True},
    "view_count": {"type": "integer", "required": True},
    "turnover_fen": {"type": "integer", "required": True},
}


class SessionService(Component):
    """Auction sessions: ``GET /mp/v1/auction_sessions`` (by state) and
    one session."""

    _name = "mp.auction.session.service"
    _inherit = "mp.base.service"
    _usage = "auction_sessions"
    _description = "Auction sessions (专场)."

    def search(self, page, size, state=None):
        sessions = self.env["auction.session"].search(self._domain())
        if state:
            sessions = sessions.filtered(lambda s: s.state == state)
        total = len(sessions)
        sessions = sessions[(page - 1) * size:page * size]
        return self._page(sessions, total, page, size, self._to_json)

    def get(self, _id):
        session = self.env["auction.session"].search(
            self._domain() + [("id", "=", _id)])
        if not session:
            raise MpNotFound(_("Session not found."))
        return self._to_json(session)

    def _domain(self):
        return [("published", "=", True),
                ("company_id", "=", self.env.user.company_id.id)]

    def _to_json(self, session):
        iso = self.partner._mp_iso
        return {
            "id": session.id,
            "title": session.name,
            "state": session.state,
            "cover_url": "/web/image/auction.session/%d/cover" % session.id
            if session.cover else None,
            "video_url": session.video_url or None,
            "preview_start": iso(session.preview_start),
            "bidding_start": iso(session.bidding_start),
            "bidding_end": iso(session.bidding_end),
            "deposit_fen": session.deposit_fen,
            "premium_percent": session.premium_percent,
            "lot_count": session.lot_count,
            "bid_count": session.bid_count,
            "view_count": session.view_count,
            "turnover_fen": session.turnover_fen,
        }

    def _validator_search(self):
        schema = pagination_schema()
        schema["state"] = {"type": "string", "allowed": [
            "not_started", "preview", "bidding", "ended", "cancelled"]}
        return schema

    def _validator_return_search(self):
        return page_schema(SESSION_SCHEMA)

    def _validator_get(self):
        return {}

    def _validator_return_get(self):
        return SESSION_SCHEMA
