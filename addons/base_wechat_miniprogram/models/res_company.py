# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from odoo.addons.server_environment import serv_config

from ..wechat.client import DEFAULT_API_ROOT, MiniProgramClient
from ..wechat.session_storage import DatabaseSessionStorage

#: server_environment section overriding the database values; a section
#: ``[wechat_miniprogram.<company id>]`` overrides it for one company.
ENV_SECTION = "wechat_miniprogram"
ENV_KEYS = ("app_id", "app_secret", "api_root")


class ResCompany(models.Model):
    """The mini-program of a company: one AppID per company.

    Secrets may live in the database (set by an administrator in Settings) or,
    better in production, in a ``server_environment`` file or the
    ``SERVER_ENV_CONFIG_SECRET`` variable, which win over the database.
    """

    _inherit = "res.company"

    mp_app_id = fields.Char(string="Mini-Program AppID")
    mp_app_secret = fields.Char(
        string="Mini-Program AppSecret", groups="base.group_system")
    mp_api_root = fields.Char(
        string="WeChat API Root", default=DEFAULT_API_ROOT,
        help="Base URL of WeChat's server API. Point it at the simulator "
             "for development and tests.")
    mp_api_timeout = fields.Integer(
        string="WeChat API Timeout (s)", default=10)
    mp_token_lifetime_hours = fields.Integer(
        string="API Token Lifetime (hours)", default=168,
        help="How long a mini-program login stays valid.")
    mp_rate_limit = fields.Integer(
        string="API Calls per Minute and User", default=120,
        help="Above this, the API answers 429 Too Many Requests.")
    mp_login_rate_limit = fields.Integer(
        string="Logins per Minute and Address", default=600,
        help="Many users may share one public address (mobile carriers): "
             "keep this well above one person's needs.")

    @api.multi
    def _mp_config(self):
        """Mini-program settings, server environment first, then database."""
        self.ensure_one()
        company = self.sudo()  # secrets are read by the server, not shown
        config = {
            "app_id": company.mp_app_id,
            "app_secret": company.mp_app_secret,
            "api_root": company.mp_api_root or DEFAULT_API_ROOT,
        }
        for section in (ENV_SECTION, "%s.%s" % (ENV_SECTION, self.id)):
            if serv_config.has_section(section):
                for key in ENV_KEYS:
                    if serv_config.has_option(section, key):
                        config[key] = serv_config.get(section, key)
        return config

    @api.multi
    def _mp_client(self):
        """A wechatpy client for this company's mini-program."""
        self.ensure_one()
        config = self._mp_config()
        storage = DatabaseSessionStorage(
            self.env.cr.dbname, prefix="company%s" % self.id)
        return MiniProgramClient(
            config["app_id"], config["app_secret"], storage,
            api_root=config["api_root"], timeout=self.mp_api_timeout or 10)
