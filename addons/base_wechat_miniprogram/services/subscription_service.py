# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.addons.component.core import Component

#: Template ids one report may carry (WeChat asks for a few at a time).
MAX_REPORTED_TEMPLATES = 10

CONSENT_SCHEMA = {
    "event_code": {"type": "string"},
    "template_id": {"type": "string"},
    "description": {"type": "string"},
    "remaining": {"type": "integer"},
    "banned": {"type": "boolean"},
}


class SubscriptionService(Component):
    """Subscribe-message consents of the caller.

    The mini-program asks which template ids to request for which events,
    calls ``wx.requestSubscribeMessage``, and reports the result object.
    """

    _name = "mp.subscription.service"
    _inherit = "mp.base.service"
    _usage = "subscriptions"
    _description = "Subscribe-message templates and the caller's consents."

    def search(self):
        """Templates of the company and the consents the caller has left."""
        return {"items": self.partner._mp_consent_summary()}

    def report(self, results):
        """Report a ``wx.requestSubscribeMessage`` result object."""
        self.env["mp.subscribe.consent"]._report(self.partner, results)
        return {"items": self.partner._mp_consent_summary()}

    def _validator_search(self):
        return {}

    def _validator_return_search(self):
        return {"items": {"type": "list", "schema": {
            "type": "dict", "schema": CONSENT_SCHEMA}}}

    def _validator_report(self):
        return {"results": {
            "type": "dict", "required": True, "empty": False,
            "maxlength": MAX_REPORTED_TEMPLATES,
            "keysrules": {"type": "string", "maxlength": 64,
                          "regex": r"^[\w-]+$"},
            "valuesrules": {"type": "string",
                            "allowed": ["accept", "reject", "ban",
                                        "filter"]},
        }}

    def _validator_return_report(self):
        return self._validator_return_search()
