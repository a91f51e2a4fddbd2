# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _

from odoo.addons.base_wechat_miniprogram.exceptions import MpNotFound
from odoo.addons.base_wechat_miniprogram.services.base_service import (
    address_input_schema)
from odoo.addons.component.core import Component

ADDRESS_SCHEMA = {
    "id": {"type": "integer", "required": True},
    "name": {"type": "string", "required": True},
    "phone": {"type": "string", "required": True},
    "province": {"type": "string", "required": True},
    "city": {"type": "string", "required": True},
    "district": {"type": "string", "required": True},
    "detail": {"type": "string", "required": True},
}


class AddressService(Component):
    """The caller's shipping addresses: delivery contacts of their
    partner, as Odoo's sales and deliveries use them."""

    _name = "mp.address.service"
    _inherit = "mp.base.service"
    _usage = "addresses"
    _description = "My shipping addresses (delivery contacts)."

    def search(self):
        return {"items": [self._to_json(a) for a in self._addresses()]}

    # A REST verb of base_rest, not the ORM's create.
    def create(self, name, phone, province, city,  # pylint: disable=W8106
               district, detail):
        address = self.partner._mp_add_delivery_address({
            "name": name, "phone": phone, "province": province,
            "city": city, "district": district, "detail": detail})
        return self._to_json(address)

    def delete(self, _id):
        address = self._addresses().filtered(lambda a: a.id == _id)
        if not address:
            raise MpNotFound(_("Address not found."))
        address.sudo().active = False  # see create
        return {"ok": True}

    def _addresses(self):
        return self.env["res.partner"].search([
            ("parent_id", "=", self.partner.id), ("type", "=", "delivery")],
            limit=50)

    @staticmethod
    def _to_json(address):
        return {
            "id": address.id, "name": address.name or "",
            "phone": address.phone or "",
            "province": address.state_id.name or address.comment or "",
            "city": address.city or "", "district": address.street2 or "",
            "detail": address.street or "",
        }

    def _validator_search(self):
        return {}

    def _validator_return_search(self):
        return {"items": {"type": "list", "required": True, "schema": {
            "type": "dict", "schema": ADDRESS_SCHEMA}}}

    def _validator_create(self):
        return address_input_schema()

    def _validator_return_create(self):
        return ADDRESS_SCHEMA

    def _validator_delete(self):
        return {}

    def _validator_return_delete(self):
        return {"ok": {"type": "boolean"}}
