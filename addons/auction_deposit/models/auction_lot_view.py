# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class AuctionLotView(models.Model):
    """A user's browse record of a lot (浏览记录): how often, and when last.

    Upserted on the user's own row, never on the lot's: the lot row is
    what bids lock, and viewers must not queue behind bidders. A lot's
    views are the sum of these counts.
    """

    _name = "auction.lot.view"
    _description = "Lot Browse Record"
    _order = "viewed_at desc"
    _log_access = False

    lot_id = fields.Many2one("auction.lot", required=True, index=True,
                             ondelete="cascade")
    partner_id = fields.Many2one("res.partner", required=True, index=True,
                                 ondelete="cascade")
    count = fields.Integer(default=1)
    viewed_at = fields.Datetime(required=True)

    _sql_constraints = [
        ("lot_partner_uniq", "unique(lot_id, partner_id)",
         "One browse record per user and lot."),
    ]

    @api.model
    def _record(self, lot, partner):
        self.env.cr.execute("""
            INSERT INTO auction_lot_view (lot_id, partner_id, count,
                                          viewed_at)
            VALUES (%s, %s, 1, now() at time zone 'UTC')
            ON CONFLICT (lot_id, partner_id) DO UPDATE
            SET count = auction_lot_view.count + 1,
                viewed_at = EXCLUDED.viewed_at""", (lot.id, partner.id))

    @api.model
    def _count_by_lot(self, lots):
        if not lots:
            return {}
        self.env.cr.execute(
            "SELECT lot_id, sum(count) FROM auction_lot_view "
            "WHERE lot_id IN %s GROUP BY lot_id", (tuple(lots.ids),))
        return dict(self.env.cr.fetchall())
