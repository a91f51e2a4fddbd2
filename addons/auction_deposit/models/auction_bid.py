# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class AuctionBid(models.Model):
    """An accepted bid: immutable once made (``auction.lot._place_bid``).

    The server's time decides (``create_date``); the client's key makes
    a retried request answer with the same bid.
    """

    _name = "auction.bid"
    _description = "Bid"
    _order = "amount_fen desc, id"

    lot_id = fields.Many2one("auction.lot", string="Lot", required=True,
                             index=True, ondelete="cascade", readonly=True)
    session_id = fields.Many2one(related="lot_id.session_id", store=True,
                                 readonly=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Bidder",
                                 required=True, index=True, readonly=True)
    amount_fen = fields.Integer(string="Amount (fen)", required=True,
                                readonly=True)
    client_key = fields.Char(string="Request Key", readonly=True)
    proxy = fields.Boolean(string="By Proxy", readonly=True,
                           help="Placed by the bidder's hidden maximum.")

    _sql_constraints = [
        ("client_key_uniq", "unique(partner_id, client_key)",
         "A request key makes one bid."),
        ("amount_positive", "CHECK(amount_fen > 0)", "A bid is positive."),
    ]

    # Immutable for everyone, the superuser included: no super() on
    # purpose. (Stored related fields are written with _write.)
    @api.multi
    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(_("Bids cannot be changed."))

    @api.multi
    def unlink(self):  # pylint: disable=method-required-super
        raise UserError(_("Bids cannot be deleted."))
