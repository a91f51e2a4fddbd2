# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _

from odoo.addons.component.core import AbstractComponent

from ..exceptions import MpBadRequest, MpNotFound

#: Largest page a list call may ask for.
MAX_PAGE_SIZE = 100

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "details": {"type": "object"},
    }, "required": ["code", "message"]}},
}


def pagination_schema(default_size=20):
    """Cerberus rules of ``page`` and ``size``, to merge into validators."""
    return {
        "page": {"type": "integer", "coerce": int, "min": 1, "default": 1},
        "size": {"type": "integer", "coerce": int, "min": 1,
                 "max": MAX_PAGE_SIZE, "default": default_size},
    }


def page_schema(item_schema):
    """Cerberus schema of a page of ``item_schema`` items."""
    return {
        "items": {"type": "list", "required": True,
                  "schema": {"type": "dict", "schema": item_schema}},
        "page": {"type": "integer", "required": True},
        "size": {"type": "integer", "required": True},
        "total": {"type": "integer", "required": True},
    }


class MiniProgramService(AbstractComponent):
    """Base of the services of ``/mp/v1/``.

    Services parse, authenticate and serialise; the rules live in models.
    ``self.partner`` is the caller (empty for the login): a service reads
    and writes only through it, so another partner's record is a 404.
    """

    _name = "mp.base.service"
    _inherit = "base.rest.service"
    _collection = "mp.v1.services"

    @property
    def partner(self):
        return self.work.partner

    @property
    def token(self):
        return self.work.token

    def _secure_input(self, method, params):
        """Validate with the Cerberus schema; 400 with the field errors."""
        if hasattr(method, "skip_secure_params"):
            return params
        validator = self._get_input_validator(method.__name__)
        if validator is None:
            raise MpNotFound(_("Unknown API method."))
        if validator.validate(params):
            return validator.document
        raise MpBadRequest(_("Some fields are not valid."),
                           details=validator.errors)

    def _paginate(self, model, domain, page, size, order=None):
        """One page of ``model`` records: ``(records, total)``."""
        total = model.search_count(domain)
        records = model.search(
            domain, offset=(page - 1) * size, limit=size, order=order)
        return records, total

    def _page(self, records, total, page, size, serializer):
        return {
            "items": [serializer(record) for record in records],
            "page": page, "size": size, "total": total,
        }

    def _get_openapi_default_responses(self):
        responses = super(MiniProgramService,
                          self)._get_openapi_default_responses()
        error = {"content": {"application/json": {"schema": ERROR_SCHEMA}}}
        for status, text in (
                ("400", "Invalid input"),
                ("401", "No or bad bearer token"),
                ("403", "Not allowed"),
                ("404", "Not found"),
                ("409", "State conflict"),
                ("429", "Rate limited")):
            responses[status] = dict(error, description=text)
        return responses

    def to_openapi(self):
        document = super(MiniProgramService, self).to_openapi()
        document["components"] = {"securitySchemes": {"bearer": {
            "type": "http", "scheme": "bearer",
            "description": "Token from POST /mp/v1/auth/login",
        }}}
        document["security"] = [{"bearer": []}]
        return document
