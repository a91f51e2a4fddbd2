# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.addons.component.core import Component

PROFILE_SCHEMA = {
    "id": {"type": "integer", "required": True},
    "name": {"type": "string", "required": True},
    "nickname": {"type": "string"},
    "avatar_url": {"type": "string"},
    "phone": {"type": "string"},
    "first_seen": {"type": "string", "nullable": True},
    "last_seen": {"type": "string", "nullable": True},
}


class MeService(Component):
    """The caller's own profile: ``GET`` and ``PUT /mp/v1/me``."""

    _name = "mp.me.service"
    _inherit = "mp.base.service"
    _usage = "me"
    _description = "The profile of the logged-in user."

    def search(self):
        """Return the caller's profile."""
        return self.partner._mp_profile()

    def update(self, **values):
        """Update nickname and avatar; set the phone from getPhoneNumber.

        ``phone_encrypted_data`` and ``phone_iv`` are the ``encryptedData``
        and ``iv`` of the mini-program's getPhoneNumber event.
        """
        self.partner._mp_update_profile(values, self.token)
        return self.partner._mp_profile()

    def _validator_search(self):
        return {}

    def _validator_return_search(self):
        return PROFILE_SCHEMA

    def _validator_update(self):
        return {
            "nickname": {"type": "string", "maxlength": 64},
            "avatar_url": {"type": "string", "maxlength": 512,
                           "regex": r"^https?://\S+$"},
            "phone_encrypted_data": {"type": "string", "maxlength": 4096,
                                     "dependencies": "phone_iv"},
            "phone_iv": {"type": "string", "maxlength": 64,
                         "dependencies": "phone_encrypted_data"},
        }

    def _validator_return_update(self):
        return PROFILE_SCHEMA
