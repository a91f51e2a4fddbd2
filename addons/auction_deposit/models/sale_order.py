# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import _, api, fields, models

from odoo.addons.payment_wechatpay.money import fen_to_yuan


class SaleOrder(models.Model):
    """Deposit orders (their payment marks the deposit paid) and winners'
    orders (hammer price plus premium, due by the payment deadline)."""

    _inherit = "sale.order"

    auction_deposit_ids = fields.One2many(
        "auction.deposit", "order_id", string="Deposits")
    auction_lot_id = fields.Many2one("auction.lot", string="Auction Lot",
                                     readonly=True, index=True)
    auction_due_at = fields.Datetime(string="Pay Before", readonly=True)

    @api.model
    def _auction_winner_order(self, lot):
        """The quotation of ``lot`` for its winner."""
        session = lot.session_id
        company = session.company_id
        product = self.env.ref("auction_deposit.product_auction_lot")
        lines = [(0, 0, {
            "product_id": product.id,
            "name": "%s %s" % (lot.catalogue_no, lot.name),
            "product_uom_qty": 1,
            "price_unit": fen_to_yuan(lot.hammer_fen),
            "tax_id": [(6, 0, [])],
        })]
        premium = session._premium_fen(lot.hammer_fen)
        if premium:
            lines.append((0, 0, {
                "product_id": product.id,
                "name": _("Buyer's premium (%s %%)") % session.premium_percent,
                "product_uom_qty": 1,
                "price_unit": fen_to_yuan(premium),
                "tax_id": [(6, 0, [])],
            }))
        due = datetime.datetime.utcnow() + datetime.timedelta(
            hours=session.payment_hours)
        return self.sudo().create({
            "partner_id": lot.winner_id.id,
            "company_id": company.id,
            "origin": session.name,
            "auction_lot_id": lot.id,
            "auction_due_at": fields.Datetime.to_string(due),
            "order_line": lines,
        })

    @api.multi
    def action_confirm(self):
        result = super(SaleOrder, self).action_confirm()
        self.mapped("auction_deposit_ids")._mark_paid()
        return result

    @api.multi
    def _wechatpay_payment_cancelled(self, transaction):
        """An unpaid deposit lapses with its payment; a winner's order
        stays payable until its own deadline (the overdue cron ends
        it)."""
        self.mapped("auction_deposit_ids")._cancel_unpaid()
        others = self.filtered(lambda order: not order.auction_lot_id)
        return super(SaleOrder, others)._wechatpay_payment_cancelled(
            transaction) if others else True
