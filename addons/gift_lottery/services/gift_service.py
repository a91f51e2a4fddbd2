# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _

from odoo.addons.base_wechat_miniprogram.exceptions import MpNotFound
from odoo.addons.base_wechat_miniprogram.services.base_service import (
    page_schema, pagination_schema)
from odoo.addons.base_wechat_miniprogram.tools import like_literal
from odoo.addons.component.core import Component

from .common import GIFT_SCHEMA, gift_json


class GiftService(Component):
    """The gift catalogue: categories, the home list, a category's list,
    search and a gift's detail."""

    _name = "mp.gift.service"
    _inherit = "mp.base.service"
    _usage = "gifts"
    _description = "Gift catalogue (礼物)."
    _mp_get_methods = ("categories",)

    def search(self, page, size, category_id=None, home=None, search=None):
        domain = self._domain()
        if category_id:
            domain.append(("gift_category_id", "=", category_id))
        if home:
            domain.append(("gift_home", "=", True))
        if search:
            domain.append(("name", "ilike", like_literal(search)))
        gifts, total = self._paginate(
            self.env["product.product"], domain, page, size,
            order="gift_sequence, id")
        return self._page(gifts, total, page, size, gift_json)

    def get(self, _id):
        gift = self.env["product.product"].search(
            self._domain() + [("id", "=", _id)])
        if not gift:
            raise MpNotFound(_("Gift not found."))
        return gift_json(gift)

    def categories(self):
        categories = self.env["gift.category"].search([])
        return {"items": [{"id": c.id, "name": c.name}
                          for c in categories]}

    def _domain(self):
        return [("gift_ok", "=", True), ("sale_ok", "=", True),
                ("company_id", "in", [self.partner.company_id.id, False])]

    def _validator_search(self):
        schema = pagination_schema()
        schema.update({
            "category_id": {"type": "integer", "coerce": int, "min": 1},
            "home": {"type": "boolean",
                     "coerce": lambda v: str(v).lower() in ("1", "true")},
            "search": {"type": "string", "maxlength": 50},
        })
        return schema

    def _validator_return_search(self):
        return page_schema(GIFT_SCHEMA)

    def _validator_get(self):
        return {}

    def _validator_return_get(self):
        return GIFT_SCHEMA

    def _validator_categories(self):
        return {}

    def _validator_return_categories(self):
        return {"items": {"type": "list", "required": True, "schema": {
            "type": "dict", "schema": {
                "id": {"type": "integer"}, "name": {"type": "string"}}}}}
