# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    mp_app_id = fields.Char(
        related="company_id.mp_app_id", readonly=False)
    mp_app_secret = fields.Char(
        related="company_id.mp_app_secret", readonly=False,
        groups="base.group_system")
    mp_api_root = fields.Char(
        related="company_id.mp_api_root", readonly=False)
    mp_api_timeout = fields.Integer(
        related="company_id.mp_api_timeout", readonly=False)
    mp_token_lifetime_hours = fields.Integer(
        related="company_id.mp_token_lifetime_hours", readonly=False)
    mp_rate_limit = fields.Integer(
        related="company_id.mp_rate_limit", readonly=False)
    mp_login_rate_limit = fields.Integer(
        related="company_id.mp_login_rate_limit", readonly=False)
