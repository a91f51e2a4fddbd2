# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models


class ResCompany(models.Model):
    """Where deposits live in the books, made on first use: a liability
    for deposits received, an income account for forfeited ones, and the
    products that carry them on sales documents."""

    _inherit = "res.company"

    auction_deposit_account_id = fields.Many2one(
        "account.account", string="Auction Deposits Received")
    auction_forfeit_account_id = fields.Many2one(
        "account.account", string="Forfeited Deposits Income")
    auction_max_defaults = fields.Integer(
        string="Unpaid Wins Before a Bidder Is Barred", default=3)

    @api.multi
    def _auction_deposit_account(self):
        self.ensure_one()
        if not self.auction_deposit_account_id:
            self.sudo().auction_deposit_account_id = self.env[
                "account.account"].sudo().create({
                    "name": _("Auction Deposits Received"),
                    "code": self._wechatpay_free_account_code("2241"),
                    "user_type_id": self.env.ref(
                        "account.data_account_type_current_liabilities").id,
                    "reconcile": True,
                    "company_id": self.id,
                })
        return self.auction_deposit_account_id

    @api.multi
    def _auction_forfeit_account(self):
        self.ensure_one()
        if not self.auction_forfeit_account_id:
            self.sudo().auction_forfeit_account_id = self.env[
                "account.account"].sudo().create({
                    "name": _("Forfeited Auction Deposits"),
                    # l10n_cn: 6301 is non-operating income.
                    "code": self._wechatpay_free_account_code("6301"),
                    "user_type_id": self.env.ref(
                        "account.data_account_type_other_income").id,
                    "company_id": self.id,
                })
        return self.auction_forfeit_account_id

    @api.multi
    def _auction_deposit_product(self):
        """The deposit product, its income account the deposits
        liability for this company."""
        self.ensure_one()
        product = self.env.ref("auction_deposit.product_auction_deposit")
        account = self._auction_deposit_account()
        template = product.product_tmpl_id.sudo().with_context(
            force_company=self.id)
        if template.property_account_income_id != account:
            template.property_account_income_id = account
        return product
