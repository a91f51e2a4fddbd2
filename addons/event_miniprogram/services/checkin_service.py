# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _

from odoo.addons.base_wechat_miniprogram.exceptions import MpBadRequest
from odoo.addons.component.core import Component

from .common import display_name


class CheckinService(Component):
    """Staff check attendees in from the mini-program: ``POST
    /mp/v1/checkins`` with the sign-up's code or QR. Only partners named
    as checkers of the sign-up's activity; idempotent."""

    _name = "mp.event.checkin.service"
    _inherit = "mp.base.service"
    _usage = "checkins"
    _description = "Check attendees in (activity staff)."

    # A REST verb of base_rest, not the ORM's create.
    def create(self, code=None, qr=None):  # pylint: disable=W8106
        if not code and not qr:
            raise MpBadRequest(_("Send the verification code or the QR."))
        registration = self.env["event.registration"]._mp_find_for_checker(
            self.partner, code=code, qr=qr)
        done = registration._mp_check_in("staff", checker=self.partner)
        return {
            "registration_id": registration.id,
            "event_id": registration.event_id.id,
            "title": registration.event_id.name,
            "name": display_name(registration.partner_id),
            "already": not done,
            "checked_in_at": self.partner._mp_iso(registration.date_closed),
        }

    def _validator_create(self):
        return {
            "code": {"type": "string", "regex": r"^\d{15}$"},
            "qr": {"type": "string", "maxlength": 200},
        }

    def _validator_return_create(self):
        return {
            "registration_id": {"type": "integer", "required": True},
            "event_id": {"type": "integer", "required": True},
            "title": {"type": "string", "required": True},
            "name": {"type": "string", "required": True},
            "already": {"type": "boolean", "required": True},
            "checked_in_at": {"type": "string", "nullable": True},
        }
