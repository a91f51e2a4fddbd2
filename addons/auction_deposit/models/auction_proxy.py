# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class AuctionProxy(models.Model):
    """A bidder's hidden maximum on a lot: the system bids for them the
    least needed against others, up to it. Hidden from other bidders."""

    _name = "auction.proxy"
    _description = "Proxy Bid"
    _order = "id"

    lot_id = fields.Many2one("auction.lot", required=True, index=True,
                             ondelete="cascade", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Bidder",
                                 required=True, readonly=True)
    max_fen = fields.Integer(string="Maximum (fen)", readonly=True)
    active = fields.Boolean(default=True, readonly=True,
                            help="Passed proxies are inactive.")

    @api.model_cr
    def init(self):
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS auction_proxy_active_uniq "
            "ON auction_proxy (lot_id, partner_id) WHERE active")

    @api.model
    def _set(self, lot, partner, max_fen):
        """Set (or raise) ``partner``'s maximum on ``lot``, under the
        lot's lock."""
        proxy = self.search([("lot_id", "=", lot.id),
                             ("partner_id", "=", partner.id)], limit=1)
        # Written only under the lot's lock, by the bid's rules.
        if proxy:
            proxy.sudo().write({"max_fen": max_fen})
            return proxy
        return self.sudo().create({"lot_id": lot.id,
                                   "partner_id": partner.id,
                                   "max_fen": max_fen})
