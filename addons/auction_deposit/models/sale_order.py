# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base_wechat_miniprogram.exceptions import MpConflict
from odoo.addons.payment_wechatpay.money import fen_to_yuan
from odoo.addons.payment_wechatpay.tools import lock_row, process_each


class SaleOrder(models.Model):
    """Deposit orders (their payment marks the deposit paid) and winners'
    orders (hammer price plus premium, due by the payment deadline)."""

    _inherit = "sale.order"

    auction_deposit_ids = fields.One2many(
        "auction.deposit", "order_id", string="Deposits")
    auction_lot_id = fields.Many2one("auction.lot", string="Auction Lot",
                                     readonly=True, index=True)
    auction_due_at = fields.Datetime(string="Pay Before", readonly=True)
    auction_reminded = fields.Boolean(readonly=True, copy=False,
                                      string="Payment Reminder Sent")
    auction_shipping = fields.Selection([
        ("awaiting", "Awaiting Shipment"),
        ("shipped", "Shipped"),
        ("received", "Received"),
    ], string="Shipping", default="awaiting", copy=False,
        track_visibility="onchange")
    auction_carrier = fields.Char(string="Carrier", copy=False)
    auction_tracking = fields.Char(string="Tracking Number", copy=False)

    @api.model
    def _auction_winner_order(self, lot):
        """The quotation of ``lot`` for its winner."""
        session = lot.session_id
        company = session.company_id
        product = self.env.ref("auction_deposit.product_auction_lot")
        lines = [(product, "%s %s" % (lot.catalogue_no, lot.name),
                  lot.hammer_fen, 1)]
        premium = session._premium_fen(lot.hammer_fen)
        if premium:
            lines.append((product, _("Buyer's premium (%s %%)")
                          % session.premium_percent, premium, 1))
        due = datetime.datetime.utcnow() + datetime.timedelta(
            hours=session.payment_hours)
        return self.sudo()._wechatpay_quotation(
            lot.winner_id, company, lines, origin=session.name,
            auction_lot_id=lot.id,
            auction_due_at=fields.Datetime.to_string(due))

    @api.multi
    def action_auction_ship(self):
        """Staff shipped a won lot (carrier and tracking filled in)."""
        for order in self:
            if order.state != "sale" or not order.auction_tracking:
                raise UserError(_("Ship a paid order with its tracking "
                                  "number."))
            order.auction_shipping = "shipped"
        return True

    @api.multi
    def _auction_ship_to(self, address):
        """Ship this (unpaid) won lot to ``address``, the caller's own
        delivery contact (checked by the caller)."""
        self.ensure_one()
        if self.state not in ("draft", "sent"):
            raise MpConflict(_("This order is not waiting for payment."),
                             "not_payable")
        self.sudo().partner_shipping_id = address
        return True

    @api.multi
    def _auction_receive(self):
        """The winner confirms receipt."""
        self.ensure_one()
        if self.auction_shipping != "shipped":
            raise MpConflict(_("This order has not been shipped."),
                             "not_shipped")
        self.sudo().auction_shipping = "received"
        return True

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

    # -- paying a won lot ------------------------------------------------

    @api.multi
    def _auction_pay(self, method="wechatpay", user_coupon=None,
                     client_ip=None):
        """Pay a won lot: price, less the coupon, less the deposit.

        Under the order's lock. The coupon and the deposit become lines of
        the order (so the invoice shows them); when they cover everything
        the order is confirmed and invoiced at once and what the deposit
        had over is refunded; otherwise the rest is paid by WeChat Pay or
        the wallet (``payment_wechatpay``).
        """
        self.ensure_one()
        lock_row(self.env.cr, self._table, self.id)
        self.invalidate_cache(ids=self.ids)
        if not self.auction_lot_id or self.state not in ("draft", "sent"):
            raise MpConflict(_("This order is not waiting for payment."),
                             "not_payable")
        if self.auction_due_at <= fields.Datetime.now():
            raise MpConflict(_("The payment deadline has passed."),
                             "overdue")
        order = self.sudo()
        if user_coupon:
            order._auction_apply_coupon(user_coupon.sudo())
        excess = order._auction_apply_deposit()
        if order.wechatpay_amount_fen > 0:
            return self._wechatpay_pay(method, client_ip=client_ip)
        order._auction_settle_covered(excess)
        return {"method": "deposit", "state": "paid", "amount_fen": 0}

    @api.multi
    def _auction_apply_coupon(self, user_coupon):
        self.ensure_one()
        if self.order_line.filtered(
                lambda line: line.auction_coupon_id == user_coupon):
            return  # a retried payment: applied already
        lot = self.auction_lot_id
        if user_coupon.partner_id != self.partner_id or \
                user_coupon.state != "unused" or \
                user_coupon.session_id != lot.session_id or \
                user_coupon.expires_at <= fields.Datetime.now():
            raise MpConflict(_("This coupon cannot be used here."),
                             "coupon_invalid")
        if self.order_line.filtered(lambda l: l.auction_coupon_id):
            raise MpConflict(_("A coupon is applied already."),
                             "coupon_applied")
        amount = min(user_coupon.amount_fen, self.wechatpay_amount_fen)
        self.write({"order_line": [(0, 0, {
            "product_id": self.env.ref(
                "auction_deposit.product_auction_lot").id,
            "name": _("Coupon: %s") % user_coupon.coupon_id.name,
            "product_uom_qty": 1,
            "price_unit": -fen_to_yuan(amount),
            "tax_id": [(6, 0, [])],
            "auction_coupon_id": user_coupon.id,
        })]})
        user_coupon.write({"state": "used", "order_id": self.id})

    @api.multi
    def _auction_apply_deposit(self):
        """Take the winner's deposit off the order (once); the fen it had
        over the amount due."""
        self.ensure_one()
        if self.order_line.filtered(lambda l: l.auction_deposit_id):
            return 0
        deposit = self.env["auction.deposit"]._covering(
            self.partner_id, self.auction_lot_id)
        if not deposit:
            return 0
        due = self.wechatpay_amount_fen
        applied = min(deposit.amount_fen, due)
        if applied:
            self.write({"order_line": [(0, 0, {
                "product_id": self.company_id._auction_deposit_product().id,
                "name": _("Deposit applied"),
                "product_uom_qty": 1,
                "price_unit": -fen_to_yuan(applied),
                "tax_id": [(6, 0, [])],
                "auction_deposit_id": deposit.id,
            })]})
        deposit.write({"state": "applied", "applied_order_id": self.id})
        return deposit.amount_fen - applied

    @api.multi
    def _auction_settle_covered(self, excess_fen):
        """Deposit and coupon cover the order: confirm and invoice it (an
        invoice of zero), and refund the deposit's excess."""
        self.ensure_one()
        self.action_confirm()
        self._force_lines_to_invoice_policy_order()
        invoices = self.env["account.invoice"].browse(
            self.with_context(force_company=self.company_id.id)
            .action_invoice_create())
        invoices.action_invoice_open()
        if excess_fen:
            deposit = self.order_line.mapped("auction_deposit_id")
            deposit._refund_fen(
                excess_fen, _("Deposit in excess of the amount due"))
        return invoices

    # -- overdue ---------------------------------------------------------

    @api.model
    def _cron_auction_overdue(self, limit=200, auto_commit=True):
        """Winners' orders past their deadline: cancelled, the lot marked
        overdue, the deposit forfeited, the bidder's unpaid wins counted.
        Bounded; one transaction per order, skipped if another holds it."""
        orders = self.search([
            ("auction_lot_id", "!=", False),
            ("state", "in", ("draft", "sent")),
            ("auction_due_at", "<=", fields.Datetime.now()),
        ], limit=limit)

        def default(order):
            if lock_row(self.env.cr, self._table, order.id,
                        skip_locked=True):
                order.invalidate_cache(ids=order.ids)
                order._auction_default()
        process_each(orders, default, auto_commit=auto_commit)
        return len(orders)

    @api.multi
    def _auction_default(self):
        self.ensure_one()
        if self.state not in ("draft", "sent"):
            return False
        lot = self.auction_lot_id
        deposit = self.order_line.mapped("auction_deposit_id") or \
            self.env["auction.deposit"]._covering(self.partner_id, lot)
        self.order_line.mapped("auction_coupon_id").write(
            {"state": "unused", "order_id": False})
        self.action_cancel()
        lot.write({"result": "overdue"})
        partner = self.partner_id
        partner.auction_default_count += 1
        if deposit:
            deposit._forfeit(self)
        lot._notify(partner, "auction_overdue", _("Overdue"),
                    _("Deposit forfeited") if deposit else "-")
        if lot.session_id.second_chance:
            lot._second_chance(partner)
        return True

    @api.model
    def _cron_auction_remind(self, hours=2, limit=500):
        """Remind winners whose deadline is near; each order once."""
        soon = fields.Datetime.to_string(
            datetime.datetime.utcnow() + datetime.timedelta(hours=hours))
        orders = self.search([
            ("auction_lot_id", "!=", False),
            ("state", "in", ("draft", "sent")),
            ("auction_reminded", "=", False),
            ("auction_due_at", "<=", soon),
            ("auction_due_at", ">", fields.Datetime.now()),
        ], limit=limit)
        for order in orders:
            order.auction_lot_id._notify(
                order.partner_id, "auction_payment_due", _("Pay soon"),
                order.partner_id._mp_iso(order.auction_due_at)[:16]
                .replace("T", " "))
        orders.write({"auction_reminded": True})
        return len(orders)
