# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _

from odoo.addons.base_wechat_miniprogram.exceptions import MpNotFound
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
        state = self.env["res.country.state"].search([
            ("country_id.code", "=", "CN"), ("name", "=", province)],
            limit=1)
        # Adding a contact makes Odoo recompute stored fields across the
        # caller's commercial entity, which the API user may not write;
        # the contact is the caller's own (its parent is the caller), and
        # an address is not a conversation (no chatter).
        address = self.env["res.partner"].sudo().with_context(
            tracking_disable=True).create({
                "parent_id": self.partner.id, "type": "delivery",
                "name": name, "phone": phone, "city": city,
                "street": detail, "street2": district,
                "state_id": state.id or False,
                "country_id": self.env.ref("base.cn").id,
                "comment": province if not state else False,
            }).with_env(self.env)
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
        text = {"type": "string", "required": True, "empty": False,
                "maxlength": 100}
        return {
            "name": dict(text, maxlength=40),
            "phone": {"type": "string", "required": True,
                      "regex": r"^1[3-9]\d{9}$"},
            "province": dict(text, maxlength=20),
            "city": dict(text, maxlength=40),
            "district": dict(text, maxlength=40),
            "detail": text,
        }

    def _validator_return_create(self):
        return ADDRESS_SCHEMA

    def _validator_delete(self):
        return {}

    def _validator_return_delete(self):
        return {"ok": {"type": "boolean"}}
