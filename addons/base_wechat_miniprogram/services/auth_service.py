# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.addons.component.core import Component

from .me_service import PROFILE_SCHEMA


class AuthService(Component):
    """Log in with a ``wx.login`` code; log out (revoke the token)."""

    _name = "mp.auth.service"
    _inherit = "mp.base.service"
    _usage = "auth"
    _description = "Mini-program login: exchange a wx.login code for a " \
                   "bearer token."

    def login(self, code):
        """Exchange a ``wx.login`` code for a bearer token.

        The first login of an openid creates its partner. Bad or reused
        codes answer 401.
        """
        raw, token, created = self.env["mp.api.token"]._login(
            self.env.user.company_id, code)
        partner = token.partner_id
        return {
            "token": raw,
            "token_type": "Bearer",
            "expires_at": partner._mp_iso(token.expires_at),
            "new_user": created,
            "profile": partner._mp_profile(),
        }

    def logout(self):
        """Revoke the token of this call."""
        self.token.action_revoke()
        return {"ok": True}

    def _validator_login(self):
        return {"code": {"type": "string", "required": True, "empty": False,
                         "maxlength": 128}}

    def _validator_return_login(self):
        return {
            "token": {"type": "string", "required": True},
            "token_type": {"type": "string", "required": True},
            "expires_at": {"type": "string", "required": True},
            "new_user": {"type": "boolean", "required": True},
            "profile": {"type": "dict", "schema": PROFILE_SCHEMA},
        }

    def _validator_logout(self):
        return {}

    def _validator_return_logout(self):
        return {"ok": {"type": "boolean"}}
