# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models

from odoo.addons.base_wechat_miniprogram.exceptions import MpConflict
from odoo.addons.payment_wechatpay.money import fen_to_yuan
from odoo.addons.payment_wechatpay.tools import lock_row


class AuctionDeposit(models.Model):
    """A bidder's deposit (保证金) on a lot or on a whole session.

    Paid through a quotation of the *Auction Deposit* product, whose
    income account is the deposits liability: the paid invoice credits
    the liability, a refund is its credit note, a forfeit moves it to
    income, and a winner's order takes it off what is due.
    """

    _name = "auction.deposit"
    _description = "Auction Deposit"
    _inherit = ["mail.thread"]
    _order = "id desc"

    partner_id = fields.Many2one("res.partner", string="Bidder",
                                 required=True, index=True, readonly=True)
    session_id = fields.Many2one("auction.session", string="Session",
                                 required=True, index=True, readonly=True)
    lot_id = fields.Many2one(
        "auction.lot", string="Lot", index=True, readonly=True,
        help="Empty: the deposit covers the whole session.")
    company_id = fields.Many2one(related="session_id.company_id",
                                 store=True, readonly=True)
    amount_fen = fields.Integer(string="Amount (fen)", required=True,
                                readonly=True)
    state = fields.Selection([
        ("pending", "Pending"),
        ("paid", "Paid"),
        ("applied", "Applied"),
        ("refunding", "Refunding"),
        ("refunded", "Refunded"),
        ("forfeited", "Forfeited"),
        ("cancelled", "Not Paid"),
    ], default="pending", required=True, readonly=True, index=True,
        track_visibility="onchange")
    method = fields.Selection([
        ("wechatpay", "WeChat Pay"),
        ("wallet", "Wallet"),
    ], required=True, default="wechatpay", readonly=True)
    order_id = fields.Many2one("sale.order", string="Deposit Order",
                               readonly=True)
    paid_at = fields.Datetime(readonly=True)
    refund_id = fields.Many2one("wechatpay.refund", readonly=True)
    applied_order_id = fields.Many2one(
        "sale.order", string="Applied to Order", readonly=True)
    forfeit_move_id = fields.Many2one("account.move", string="Forfeit Entry",
                                      readonly=True)

    @api.model_cr
    def init(self):
        # One live deposit per bidder and scope.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS auction_deposit_live_uniq "
            "ON auction_deposit (partner_id, session_id, "
            "COALESCE(lot_id, 0)) WHERE state IN ('pending', 'paid')")

    # -- paying ----------------------------------------------------------

    @api.model
    def _mp_pay(self, partner, session, lot=None, method="wechatpay",
                client_ip=None):
        """Open (or reopen) ``partner``'s deposit on ``lot`` or the
        session, and its payment. 409 when one is paid already or none
        is asked."""
        amount = lot.deposit_fen if lot else session.deposit_fen
        if not amount:
            raise MpConflict(_("No deposit is required here."), "no_deposit")
        if session.state not in ("not_started", "preview", "bidding"):
            raise MpConflict(_("This session is closed."), "closed")
        lock_row(self.env.cr, "res_partner", partner.id)
        deposit = self.search([
            ("partner_id", "=", partner.id), ("session_id", "=", session.id),
            ("lot_id", "=", lot.id if lot else False),
            ("state", "in", ("pending", "paid"))], limit=1)
        if deposit.state == "paid":
            raise MpConflict(_("Your deposit is paid already."), "paid")
        if deposit and deposit.method != method:
            deposit._cancel_unpaid()
            deposit = self.browse()
        if not deposit:
            deposit = self.sudo().create({
                "partner_id": partner.id, "session_id": session.id,
                "lot_id": lot.id if lot else False,
                "amount_fen": amount, "method": method,
            })
            deposit._make_order()
        return deposit.with_env(self.env), \
            deposit.sudo().order_id._wechatpay_pay(method,
                                                   client_ip=client_ip)

    @api.multi
    def _make_order(self):
        """The deposit's quotation (sales documents are the back
        office's; the caller was checked)."""
        self.ensure_one()
        company = self.session_id.company_id
        product = company._auction_deposit_product()
        scope = self.lot_id.display_name or self.session_id.name
        order = self.env["sale.order"].sudo()._wechatpay_quotation(
            self.partner_id, company,
            [(product, _("Deposit: %s") % scope, self.amount_fen, 1)],
            origin=scope)
        self.sudo().order_id = order
        return order

    @api.multi
    def _mark_paid(self):
        self.filtered(lambda d: d.state == "pending").sudo().write({
            "state": "paid", "paid_at": fields.Datetime.now()})
        return True

    @api.multi
    def _cancel_unpaid(self):
        pending = self.filtered(lambda d: d.state == "pending")
        pending.sudo().write({"state": "cancelled"})
        for order in pending.sudo().mapped("order_id").filtered(
                lambda o: o.state in ("draft", "sent")):
            order.action_cancel()
        return True

    @api.model
    def _covering(self, partner, lot):
        """``partner``'s paid deposit that lets them bid on ``lot``."""
        return self.search([
            ("partner_id", "=", partner.id),
            ("session_id", "=", lot.session_id.id),
            ("state", "=", "paid"),
            "|", ("lot_id", "=", lot.id), ("lot_id", "=", False),
        ], limit=1)

    # -- giving back -----------------------------------------------------

    @api.multi
    def _release(self, reason):
        """Give paid deposits back the way they came: a WeChat deposit is
        refunded through WeChat (refunding until WeChat confirms), a
        wallet deposit to the wallet at once."""
        for deposit in self.filtered(lambda d: d.state == "paid"):
            refund = deposit._refund_fen(deposit.amount_fen, reason)
            deposit.sudo().write({
                "state": "refunding" if refund else "refunded",
                "refund_id": refund.id if refund else False})
            deposit._notify_state(_("Refunded"))
        return True

    @api.multi
    def _refund_fen(self, amount_fen, reason):
        """Give back ``amount_fen`` of this deposit: the WeChat refund
        (settled later), or None when the wallet was credited at once."""
        self.ensure_one()
        return self.order_id._wechatpay_refund(amount_fen, reason)

    @api.multi
    def _forfeit(self, order):
        """The winner did not pay: the deposit becomes income (a journal
        entry from the deposits liability to the forfeit income)."""
        self.ensure_one()
        company = self.session_id.company_id
        journal = self.env["account.journal"].sudo().search([
            ("type", "=", "general"), ("company_id", "=", company.id)],
            limit=1)
        amount = fen_to_yuan(self.amount_fen)
        move = self.env["account.move"].sudo().create({
            "journal_id": journal.id,
            "ref": _("Deposit forfeited: %s") % order.name,
            "line_ids": [
                (0, 0, {"name": _("Deposit forfeited"),
                        "account_id": company._auction_deposit_account().id,
                        "partner_id": self.partner_id.id,
                        "debit": amount, "credit": 0.0}),
                (0, 0, {"name": _("Deposit forfeited"),
                        "account_id": company._auction_forfeit_account().id,
                        "partner_id": self.partner_id.id,
                        "debit": 0.0, "credit": amount}),
            ],
        })
        move.post()
        self.sudo().write({"state": "forfeited", "forfeit_move_id": move.id,
                           "applied_order_id": False})
        self._notify_state(_("Forfeited"))
        return move

    @api.multi
    def _notify_state(self, status):
        self.ensure_one()
        return self.env["mp.subscribe.message"].sudo()._enqueue(
            self.partner_id, "auction_deposit", {
                "thing1": {"value": (self.lot_id.name or
                                     self.session_id.name)[:20]},
                "amount2": {"value": "%.2f" % (self.amount_fen / 100.0)},
                "phrase3": {"value": status[:5]},
            }, page="pages/deposit/list")

    @api.model
    def _cron_release_session_deposits(self, limit=200):
        """Session deposits go back once every lot of their session has
        ended and the bidder has no won lot left unpaid there (a paid win
        took the deposit already; an unpaid one forfeits it)."""
        deposits = self.search([
            ("state", "=", "paid"), ("lot_id", "=", False),
            ("session_id.bidding_end", "<=", fields.Datetime.now()),
        ], limit=limit)
        released = self.browse()
        for deposit in deposits:
            session = deposit.session_id
            if session.lot_ids.filtered(lambda lot: not lot.result) and \
                    not session.cancelled:
                continue
            unpaid = self.env["sale.order"].search_count([
                ("auction_lot_id.session_id", "=", session.id),
                ("partner_id", "=", deposit.partner_id.id),
                ("state", "in", ("draft", "sent"))])
            if not unpaid:
                released |= deposit
        released._release(_("Session ended"))
        return len(released)

    @api.model
    def _cron_settle_refunds(self, limit=500):
        """Refunding deposits whose refund WeChat settled."""
        deposits = self.search([("state", "=", "refunding"),
                                ("refund_id.state", "=", "succeeded")],
                               limit=limit)
        deposits.write({"state": "refunded"})
        return len(deposits)
