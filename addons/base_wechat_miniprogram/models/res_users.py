# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.exceptions import AccessDenied

from .ir_http import API_USER_XMLID


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def check_credentials(self, password):
        """The API's technical user never authenticates (web login,
        JSON-RPC, external RPC), whatever password it was given: it only
        runs /mp/v1/ requests, and its rights (session keys of API tokens,
        wallets, payouts) are not for a person's session."""
        api_user = self.env["ir.model.data"].xmlid_to_res_id(API_USER_XMLID)
        if api_user and self.env.uid == api_user:
            raise AccessDenied()
        return super(ResUsers, self).check_credentials(password)
