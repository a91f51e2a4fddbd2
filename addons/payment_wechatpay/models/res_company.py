# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError


class ResCompany(models.Model):
    """Where the customer wallet lives in the company's books.

    The wallet is money the company owes its customers: a liability
    account (reconcilable, so an accountant can match credits and debits
    per customer) behind a journal of its own, so that paying an invoice
    from the wallet is an ordinary ``account.payment`` in that journal.
    """

    _inherit = "res.company"

    wechatpay_wallet_journal_id = fields.Many2one(
        "account.journal", string="Customer Wallet Journal",
        help="Payments made with and credited to the customer wallet.")
    wechatpay_wallet_account_id = fields.Many2one(
        "account.account", string="Customer Wallet Account",
        related="wechatpay_wallet_journal_id.default_credit_account_id",
        readonly=True,
        help="The liability account holding what the company owes to its "
             "customers' wallets.")

    @api.multi
    def _wechatpay_wallet_journal(self, create=False):
        """The wallet journal; created with its account if asked."""
        self.ensure_one()
        if self.wechatpay_wallet_journal_id or not create:
            if not self.wechatpay_wallet_journal_id:
                raise UserError(_("The customer wallet of %s has no journal "
                                  "(is a chart of accounts installed?).")
                                % self.name)
            return self.wechatpay_wallet_journal_id
        liability = self.env.ref(
            "account.data_account_type_current_liabilities")
        account = self.env["account.account"].create({
            "name": _("Customer Wallets"),
            "code": self._wechatpay_free_account_code("2241"),
            "user_type_id": liability.id,
            "reconcile": True,
            "company_id": self.id,
        })
        journal = self.env["account.journal"].create({
            "name": _("Customer Wallet"),
            "code": "WALT",
            "type": "cash",
            "sequence": 1000,
            "company_id": self.id,
            "default_debit_account_id": account.id,
            "default_credit_account_id": account.id,
            "show_on_dashboard": False,
            "inbound_payment_method_ids": [],
            "outbound_payment_method_ids": [],
        })
        self.wechatpay_wallet_journal_id = journal
        return journal

    @api.multi
    def _wechatpay_free_account_code(self, prefix):
        """The first unused ``<prefix>NN`` code (l10n_cn: 2241 is "other
        payables", the usual home of customer balances)."""
        self.ensure_one()
        used = set(self.env["account.account"].search([
            ("company_id", "=", self.id), ("code", "=like", prefix + "%"),
        ]).mapped("code"))
        for number in range(1, 100):
            code = "%s%02d" % (prefix, number)
            if code not in used:
                return code
        raise UserError(_("No free account code under %s.") % prefix)
