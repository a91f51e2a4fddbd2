# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models

from odoo.addons.base_wechat_miniprogram.exceptions import MpConflict

from ..money import fen_to_yuan, format_fen
from ..tools import lock_row


class WechatpayWallet(models.Model):
    """A customer's balance (余额) with the company, in fen.

    The balance only changes through ``_credit``/``_debit``, under the
    wallet's row lock and together with a ledger entry, so it always
    equals the sum of the entries; a CHECK keeps it from going below zero
    whatever arrives at once. The money itself sits on the company's
    customer wallet liability account (see ``res.company``).
    """

    _name = "wechatpay.wallet"
    _description = "Customer Wallet"
    _rec_name = "partner_id"
    _order = "balance_fen desc, id"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True,
        ondelete="restrict", index=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(
        related="company_id.currency_id", readonly=True)
    balance_fen = fields.Integer(
        string="Balance (fen)", readonly=True, default=0)
    balance = fields.Monetary(
        compute="_compute_balance", store=True)
    entry_ids = fields.One2many(
        "wechatpay.wallet.entry", "wallet_id", string="Entries")

    _sql_constraints = [
        ("partner_company_uniq", "unique(partner_id, company_id)",
         "A customer has one wallet per company."),
        ("balance_not_negative", "CHECK(balance_fen >= 0)",
         "A wallet balance cannot go below zero."),
    ]

    @api.depends("balance_fen")
    def _compute_balance(self):
        for wallet in self:
            wallet.balance = fen_to_yuan(wallet.balance_fen)

    @api.model
    def _of(self, partner, company):
        """The wallet of ``partner`` with ``company``, created if needed
        (an upsert: two first credits at once make one wallet)."""
        self.env.cr.execute("""
            INSERT INTO wechatpay_wallet (partner_id, company_id,
                balance_fen, balance, create_uid, write_uid, create_date,
                write_date)
            VALUES (%(partner)s, %(company)s, 0, 0, %(uid)s, %(uid)s,
                    now() at time zone 'UTC', now() at time zone 'UTC')
            ON CONFLICT (partner_id, company_id) DO NOTHING
        """, {"partner": partner.id, "company": company.id,
              "uid": self.env.uid})
        return self.search([("partner_id", "=", partner.id),
                            ("company_id", "=", company.id)], limit=1)

    @api.multi
    def _lock_for(self, amount_fen):
        """Lock the wallet before long work that ends in a debit: two
        payments of one wallet then queue here, not after the work (the
        loser of a late lock would redo it all); 409 at once when the
        balance is short."""
        self.ensure_one()
        lock_row(self.env.cr, self._table, self.id)
        self.invalidate_cache(["balance_fen", "balance"], self.ids)
        if self.balance_fen < amount_fen:
            raise MpConflict(
                _("The balance (%s CNY) is not enough.") %
                format_fen(self.balance_fen), "insufficient_balance")
        return True

    @api.multi
    def _move(self, amount_fen, kind, name, origin=None, payment=None,
              move=None):
        """Add ``amount_fen`` (negative: take) under the row lock and write
        the ledger entry; 409 ``insufficient_balance`` when short."""
        self.ensure_one()
        self.env.cr.execute(
            "SELECT balance_fen FROM wechatpay_wallet WHERE id = %s "
            "FOR UPDATE", [self.id])
        balance = self.env.cr.fetchone()[0]
        if balance + amount_fen < 0:
            raise MpConflict(
                _("The balance (%s CNY) is not enough.") %
                format_fen(balance), "insufficient_balance")
        balance += amount_fen
        self.env.cr.execute(
            "UPDATE wechatpay_wallet SET balance_fen = %s, balance = %s, "
            "write_date = now() at time zone 'UTC', write_uid = %s "
            "WHERE id = %s",
            [balance, fen_to_yuan(balance), self.env.uid, self.id])
        self.invalidate_cache(["balance_fen", "balance"], self.ids)
        # Nobody may write ledger entries (accountants included): only
        # this method, under the lock, beside the balance it explains.
        return self.env["wechatpay.wallet.entry"].sudo().create({
            "wallet_id": self.id,
            "amount_fen": amount_fen,
            "balance_after_fen": balance,
            "kind": kind,
            "name": name,
            "origin": origin,
            "payment_id": payment.id if payment else False,
            "move_id": move.id if move else False,
        })

    @api.multi
    def _credit(self, amount_fen, kind, name, origin=None, payment=None,
                move=None):
        assert amount_fen > 0, "a credit is positive"
        return self._move(amount_fen, kind, name, origin, payment, move)

    @api.multi
    def _debit(self, amount_fen, kind, name, origin=None, payment=None,
               move=None):
        assert amount_fen > 0, "a debit is positive"
        return self._move(-amount_fen, kind, name, origin, payment, move)
