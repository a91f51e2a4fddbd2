# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _

from odoo.addons.base_wechat_miniprogram.exceptions import MpNotFound
from odoo.addons.base_wechat_miniprogram.services.base_service import (
    page_schema, pagination_schema)
from odoo.addons.component.core import Component

ENVELOPE_SCHEMA = {
    "id": {"type": "integer", "required": True},
    "round_id": {"type": "integer", "required": True},
    "day": {"type": "string", "required": True},
    "opened": {"type": "boolean", "required": True},
    "state": {"type": "string", "required": True},
    "amount_fen": {"type": "integer", "nullable": True},
    "share_fen": {"type": "integer", "nullable": True},
    "stake_fen": {"type": "integer", "required": True},
    "payout": {"type": "dict", "nullable": True, "schema": {
        "state": {"type": "string", "required": True},
        "to": {"type": "string", "required": True},
        "amount_fen": {"type": "integer", "required": True},
    }},
}


class EnvelopeService(Component):
    """The caller's red envelopes (红包) of settled rounds:
    ``GET /mp/v1/clockin_envelopes`` and ``POST .../<id>/open``."""

    _name = "mp.clockin.envelope.service"
    _inherit = "mp.base.service"
    _usage = "clockin_envelopes"
    _description = "Clock-in red envelopes (打卡红包)."

    def search(self, page, size):
        envelopes, total = self._paginate(
            self.env["clockin.allocation"],
            [("partner_id", "=", self.partner.id)], page, size)
        return self._page(envelopes, total, page, size,
                          lambda envelope: envelope._mp_json())

    def open(self, _id):
        envelope = self.env["clockin.allocation"].search([
            ("id", "=", _id), ("partner_id", "=", self.partner.id)])
        if not envelope:
            raise MpNotFound(_("Envelope not found."))
        return envelope._mp_open(self.env.user.company_id)._mp_json()

    def _validator_search(self):
        return pagination_schema()

    def _validator_return_search(self):
        return page_schema(ENVELOPE_SCHEMA)

    def _validator_open(self):
        return {}

    def _validator_return_open(self):
        return ENVELOPE_SCHEMA
