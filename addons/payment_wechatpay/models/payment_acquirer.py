# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import threading

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..wechat.pay_client import DEFAULT_PAY_API_ROOT, make_client

#: wechatpy clients per thread, see _wechatpay_client.
_clients = threading.local()
CLIENT_FIELDS = ("id", "wechatpay_mch_id", "wechatpay_api_key",
                 "wechatpay_api_root", "wechatpay_timeout",
                 "wechatpay_mch_cert", "wechatpay_mch_key")


class PaymentAcquirer(models.Model):
    """WeChat Pay (API v2, JSAPI for mini-programs) as an Odoo acquirer.

    The mini-program AppID comes from the company (base addon): WeChat
    checks that the merchant is bound to it. Certificates are file paths,
    so that the private key stays on the server's disk, not in the
    database.
    """

    _inherit = "payment.acquirer"

    provider = fields.Selection(selection_add=[("wechatpay", "WeChat Pay")])
    wechatpay_mch_id = fields.Char(
        string="Merchant ID", groups="base.group_user")
    wechatpay_api_key = fields.Char(
        string="API Key (v2)", groups="base.group_system",
        help="The 32-character key set in the merchant platform; signs "
             "every request and notify (MD5).")
    wechatpay_mch_cert = fields.Char(
        string="Merchant Certificate File", groups="base.group_system",
        help="Path of apiclient_cert.pem on the server; needed for refunds "
             "and payouts.")
    wechatpay_mch_key = fields.Char(
        string="Merchant Key File", groups="base.group_system",
        help="Path of apiclient_key.pem on the server.")
    wechatpay_api_root = fields.Char(
        string="WeChat Pay API Root", default=DEFAULT_PAY_API_ROOT,
        help="Point it at the simulator for development and tests.")
    wechatpay_notify_base_url = fields.Char(
        string="Notify Base URL",
        help="Public URL of this Odoo that WeChat posts notifies to "
             "(https://...); empty: the web.base.url parameter.")
    wechatpay_client_ip = fields.Char(
        string="Server IP", default="127.0.0.1",
        help="spbill_create_ip of server-side calls (transfers).")
    wechatpay_timeout = fields.Integer(
        string="Timeout (s)", default=10)
    wechatpay_order_lifetime = fields.Integer(
        string="Order Lifetime (minutes)", default=15,
        help="How long a user may take to pay, unless the business "
             "document gives its own deadline.")
    wechatpay_number_prefix = fields.Char(
        string="Number Prefix", default="OD", size=6,
        help="Starts out_trade_no, out_refund_no and partner_trade_no; "
             "give each database sharing a merchant its own prefix.")
    wechatpay_payout_enabled = fields.Boolean(
        string="Payouts to WeChat Change", default=True,
        help="Off: payouts are credited to the customer wallet instead.")
    wechatpay_payout_min_fen = fields.Integer(
        string="Minimum Payout (fen)", default=30,
        help="WeChat refuses transfers below 0.30 CNY; smaller payouts go "
             "to the customer wallet.")
    wechatpay_payout_daily_cap_fen = fields.Integer(
        string="Daily Payout Cap per User (fen)", default=500000,
        help="Above it, a payout goes to the customer wallet (0: no cap).")

    @api.constrains("provider", "website_published", "wechatpay_mch_id",
                    "wechatpay_api_key")
    def _check_wechatpay_merchant(self):
        """A published WeChat Pay acquirer needs its merchant and key
        (an unpublished one may wait for them)."""
        for acquirer in self.sudo().filtered(
                lambda a: a.provider == "wechatpay" and a.website_published):
            if not (acquirer.wechatpay_mch_id and acquirer.wechatpay_api_key):
                raise ValidationError(_(
                    "Enter the merchant ID and API key before publishing "
                    "WeChat Pay."))

    @api.model
    def _get_wechatpay(self, company=None):
        """The company's enabled WeChat Pay acquirer, or a UserError."""
        company = company or self.env.user.company_id
        acquirer = self.sudo().search([
            ("provider", "=", "wechatpay"),
            ("company_id", "=", company.id),
            ("environment", "in", ("prod", "test")),
            ("website_published", "=", True),
        ], limit=1)
        if not acquirer:
            raise UserError(_("WeChat Pay is not set up for %s.")
                            % company.name)
        return acquirer.with_env(self.env)

    @api.multi
    def _wechatpay_client(self):
        """wechatpy's client for this merchant (secrets read as sudo).

        Kept per thread while its settings are unchanged: a cron settling
        thousands of payments reuses one client and its keep-alive
        connection.
        """
        self.ensure_one()
        acquirer = self.sudo()
        key = (self.env.cr.dbname, acquirer.company_id.mp_app_id) + tuple(
            acquirer[name] for name in CLIENT_FIELDS)
        cache = _clients.__dict__.setdefault("by_key", {})
        if key not in cache:
            if len(cache) > 32:
                cache.clear()
            cache[key] = acquirer._wechatpay_new_client()
        return cache[key]

    @api.multi
    def _wechatpay_new_client(self):
        acquirer = self
        return make_client(
            acquirer.company_id._mp_config()["app_id"],
            acquirer.wechatpay_mch_id, acquirer.wechatpay_api_key,
            api_root=acquirer.wechatpay_api_root,
            timeout=acquirer.wechatpay_timeout or 10,
            mch_cert=acquirer.wechatpay_mch_cert,
            mch_key=acquirer.wechatpay_mch_key)

    @api.multi
    def _wechatpay_notify_url(self, kind):
        """URL of the pay (``kind='pay'``) or refund notify route."""
        self.ensure_one()
        base = self.wechatpay_notify_base_url or self.env[
            "ir.config_parameter"].sudo().get_param("web.base.url")
        return "%s/payment/wechatpay/notify/%s" % (base.rstrip("/"), kind)

    @api.multi
    def _wechatpay_number(self, kind, record_id):
        """out_trade_no / out_refund_no / partner_trade_no of a record.

        Made of the prefix, a letter per kind and the record id: unique,
        at most 32 characters, and the same on every retry.
        """
        self.ensure_one()
        return "%s%s%012d" % (self.wechatpay_number_prefix or "", kind,
                              record_id)

    @api.multi
    def _prepare_account_journal_vals(self):
        """The WeChat Pay journal: a bank journal "WeChat Pay" (WXPAY),
        shown on the accounting dashboard."""
        values = super(PaymentAcquirer, self)._prepare_account_journal_vals()
        if self.provider == "wechatpay":
            values.update(name=_("WeChat Pay"), code="WXPAY",
                          show_on_dashboard=True)
        return values

    @api.model
    def _create_missing_journal_for_acquirers(self, company=None):
        """Also the customer wallet journal of the company (see
        ``res.company._wechatpay_wallet_journal``)."""
        journals = super(PaymentAcquirer,
                         self)._create_missing_journal_for_acquirers(
                             company=company)
        companies = company or self.env["res.company"].search([])
        for each in companies.filtered("chart_template_id"):
            each._wechatpay_wallet_journal(create=True)
        return journals
