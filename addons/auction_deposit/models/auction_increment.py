# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class AuctionIncrement(models.Model):
    """A band of the increment ladder: from ``from_fen`` up, each bid
    adds at least ``increment_fen``.

    A session's own bands win; without them the global ladder (bands
    with no session) applies.
    """

    _name = "auction.increment"
    _description = "Bid Increment Band"
    _order = "session_id, from_fen"

    session_id = fields.Many2one(
        "auction.session", string="Session", ondelete="cascade", index=True,
        help="Empty: the global default ladder.")
    from_fen = fields.Integer(string="From (fen)", required=True)
    increment_fen = fields.Integer(string="Increment (fen)", required=True)

    _sql_constraints = [
        ("band_uniq", "unique(session_id, from_fen)",
         "Two bands of a ladder cannot start at the same price."),
        ("values_positive", "CHECK(from_fen >= 0 AND increment_fen > 0)",
         "A band starts at 0 or more and adds at least one fen."),
    ]

    @api.model
    def _ladder(self, session):
        """``[(from_fen, increment_fen)]`` of ``session``, ascending."""
        bands = self.search([("session_id", "=", session.id)]) or \
            self.search([("session_id", "=", False)])
        return [(band.from_fen, band.increment_fen) for band in bands]

    @staticmethod
    def _increment_at(ladder, price_fen):
        """The increment that applies above ``price_fen`` (1 fen when the
        ladder is empty)."""
        increment = 1
        for from_fen, step in ladder:
            if price_fen >= from_fen:
                increment = step
            else:
                break
        return increment

    @api.constrains("from_fen", "increment_fen")
    def _check_first_band(self):
        for band in self:
            if band.increment_fen <= 0:
                raise ValidationError(_("An increment is at least 1 fen."))
