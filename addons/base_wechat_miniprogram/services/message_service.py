# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.addons.component.core import Component

from .base_service import page_schema, pagination_schema

MESSAGE_SCHEMA = {
    "id": {"type": "integer", "required": True},
    "event_code": {"type": "string", "nullable": True},
    "state": {"type": "string", "required": True},
    "page": {"type": "string", "nullable": True},
    "created_at": {"type": "string", "nullable": True},
    "sent_at": {"type": "string", "nullable": True},
}
STATES = ["queued", "retry", "sent", "no_consent", "failed"]


class MessageService(Component):
    """The subscribe messages sent (or meant) to the caller, newest first."""

    _name = "mp.message.service"
    _inherit = "mp.base.service"
    _usage = "messages"
    _description = "The caller's subscribe messages."

    def search(self, page, size, state=None):
        """A page of the caller's messages, optionally of one state."""
        domain = [("partner_id", "=", self.partner.id)]
        if state:
            domain.append(("state", "=", state))
        messages, total = self._paginate(
            self.env["mp.subscribe.message"], domain, page, size)
        return self._page(messages, total, page, size, self._to_json)

    def _to_json(self, message):
        iso = message.partner_id._mp_iso
        return {
            "id": message.id,
            "event_code": message.event_code or None,
            "state": message.state,
            "page": message.page or None,
            "created_at": iso(message.create_date),
            "sent_at": iso(message.sent_at),
        }

    def _validator_search(self):
        schema = pagination_schema()
        schema["state"] = {"type": "string", "allowed": STATES}
        return schema

    def _validator_return_search(self):
        return page_schema(MESSAGE_SCHEMA)
