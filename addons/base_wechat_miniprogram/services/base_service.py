# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import inspect
import threading

from odoo import _
from odoo.http import request

from odoo.addons.base_rest.tools import cerberus_to_json
from odoo.addons.component.core import AbstractComponent

from ..exceptions import MpBadRequest, MpMethodNotAllowed, MpNotFound

#: Cerberus validators per thread, by service class and validator method.
_validators = threading.local()

#: Largest page size and page number a list call may ask for.
MAX_PAGE_SIZE = 100
MAX_PAGE = 10000
#: Largest integer an input may hold: every integer column (ids, amounts
#: in fen) is a PostgreSQL ``integer``, which refuses more with an error.
MAX_INTEGER = 2 ** 31 - 1

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
        "page": {"type": "integer", "coerce": int, "min": 1,
                 "max": MAX_PAGE, "default": 1},
        "size": {"type": "integer", "coerce": int, "min": 1,
                 "max": MAX_PAGE_SIZE, "default": default_size},
    }


def address_input_schema():
    """The fields of a Chinese shipping address the mini-program sends
    (``res.partner._mp_add_delivery_address``)."""
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


def page_schema(item_schema):
    """Cerberus schema of a page of ``item_schema`` items."""
    return {
        "items": {"type": "list", "required": True,
                  "schema": {"type": "dict", "schema": item_schema}},
        "page": {"type": "integer", "required": True},
        "size": {"type": "integer", "required": True},
        "total": {"type": "integer", "required": True},
    }


def integers_out_of_range(node, path=""):
    """Paths (``a.b.0``) of the integers in ``node`` that no integer
    column can hold."""
    if isinstance(node, bool):
        return []
    if isinstance(node, int):
        return [path] if not -MAX_INTEGER - 1 <= node <= MAX_INTEGER else []
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, (list, tuple)):
        items = enumerate(node)
    else:
        return []
    return [found for key, value in items
            for found in integers_out_of_range(
                value, "%s.%s" % (path, key) if path else str(key))]


def bound_integers(node):
    """Give every integer of a JSON schema the bounds of the integer
    columns (``integers_out_of_range`` refuses more)."""
    if isinstance(node, dict):
        if node.get("type") == "integer":
            node.setdefault("minimum", -MAX_INTEGER - 1)
            node.setdefault("maximum", MAX_INTEGER)
        for value in node.values():
            bound_integers(value)
    elif isinstance(node, list):
        for value in node:
            bound_integers(value)


def drop_empty_required(node):
    """OpenAPI 3.0 forbids ``required: []``, which base_rest emits."""
    if isinstance(node, dict):
        if node.get("required") == []:
            del node["required"]
        for value in node.values():
            drop_empty_required(value)
    elif isinstance(node, list):
        for value in node:
            drop_empty_required(value)


class MiniProgramService(AbstractComponent):
    """Base of the services of ``/mp/v1/``.

    Services parse, authenticate and serialise; the rules live in models.
    ``self.partner`` is the caller (empty for the login): a service reads
    and writes only through it, so another partner's record is a 404.
    """

    _name = "mp.base.service"
    _inherit = "base.rest.service"
    _collection = "mp.v1.services"
    #: Read-only methods also served by ``GET <service>[/<id>]/<method>``.
    _mp_get_methods = ()

    @property
    def partner(self):
        return self.work.partner

    @property
    def token(self):
        return self.work.token

    def dispatch(self, method_name, _id=None, params=None):
        """404 for an id on a method that takes none (``PUT /me/7``)."""
        method = getattr(self, method_name, None)
        if request and getattr(request, "mp_read_call", False) and \
                method_name not in self._mp_get_methods:
            raise MpMethodNotAllowed(_("Use POST for this method."))
        if _id and method is not None and \
                "_id" not in inspect.signature(method).parameters:
            raise MpNotFound(_("Not found."))
        return super(MiniProgramService, self).dispatch(
            method_name, _id=_id, params=params)

    def _get_validator(self, validator_method):
        """Build each Cerberus validator once per thread, not per call.

        Building one checks its whole schema, which cost more than the rest
        of a simple call. Validators keep state while validating, hence one
        per thread. The schemas of ``_validator_*`` methods must therefore
        be static (not depend on the caller or the records).
        """
        cache = _validators.__dict__.setdefault("by_service", {})
        key = (type(self), validator_method)
        if key not in cache:
            cache[key] = super(MiniProgramService, self)._get_validator(
                validator_method)
        return cache[key]

    def _secure_input(self, method, params):
        """Validate with the Cerberus schema; 400 with the field errors."""
        if hasattr(method, "skip_secure_params"):
            return params
        validator = self._get_input_validator(method.__name__)
        if validator is None:
            raise MpNotFound(_("Unknown API method."))
        if validator.validate(params):
            # A 400 here, not a database error (500) later.
            too_large = integers_out_of_range(validator.document)
            if too_large:
                raise MpBadRequest(
                    _("Some fields are not valid."),
                    details={path: [_("The number is too large.")]
                             for path in too_large})
            return validator.document
        raise MpBadRequest(_("Some fields are not valid."),
                           details=validator.errors)

    def _secure_output(self, method, response):
        """Check an answer against its schema, without normalizing it.

        Our serializers build exact documents: a field outside the schema
        is a defect to report, not something to drop silently (base_rest
        purges it), and skipping normalization halves the cost of the
        check. Every public method must declare its output schema.
        """
        method_name = getattr(method, "__name__", method)
        if hasattr(method, "skip_secure_response"):
            return response
        validator = self._get_output_validator(method_name)
        if validator is None:
            raise SystemError("No output schema for %s.%s"
                              % (self._usage, method_name))
        if validator.validate(response, normalize=False):
            return response
        raise SystemError("Invalid response of %s.%s: %s"
                          % (self._usage, method_name, validator.errors))

    @staticmethod
    def _client_ip():
        """The caller's address (WeChat Pay wants it as spbill_create_ip);
        None outside an HTTP request."""
        return request.httprequest.remote_addr if request else None

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

    def _get_openapi_info(self):
        info = super(MiniProgramService, self)._get_openapi_info()
        info["title"] = "Mini-program API: %s" % self._usage
        info["version"] = "v1"
        return info

    def _get_openapi_paths(self):
        """Document a singleton ``update`` (no id) as ``PUT /``, and the
        whole rule of each query parameter."""
        paths = super(MiniProgramService, self)._get_openapi_paths()
        for name, path in (("search", "/"), ("get", "/{id}")):
            operation = paths.get(path, {}).get("get")
            if operation:
                self._openapi_query_rules(operation, name)
        for name in self._mp_get_methods:
            for path in ("/" + name, "/{id}/" + name):
                operation = paths.get(path, {}).get("post")
                if operation:
                    paths[path] = {"get": self._openapi_as_get(operation)}
        by_id = paths.get("/{id}", {})
        update = getattr(self, "update", None)
        if "put" in by_id and update is not None and \
                "_id" not in inspect.signature(update).parameters:
            # A copy: base_rest puts one dict at "/" and "/search", and
            # only "/" takes a PUT.
            paths["/"] = dict(paths.get("/", {}), put=by_id.pop("put"))
            if not by_id:
                del paths["/{id}"]
        return paths

    def _openapi_query_rules(self, operation, method_name):
        """base_rest documents a ``search``/``get`` query parameter by its
        type (and enum) only: give it its bounds, pattern and length too,
        so that the document says what the server accepts (its
        ``/search`` and ``/{id}/get`` twins share the operation)."""
        schema = self._get_input_schema(method_name)
        if not schema:
            return
        rules = cerberus_to_json(schema)["properties"]
        for parameter in operation["parameters"]:
            rule = rules.get(parameter["name"])
            if parameter["in"] == "query" and rule:
                parameter["schema"] = {key: value
                                       for key, value in rule.items()
                                       if key != "nullable"}

    @staticmethod
    def _openapi_as_get(operation):
        """A POST operation documented by base_rest, as a GET whose body
        fields are query parameters."""
        body = operation.pop("requestBody")
        schema = body["content"]["application/json"]["schema"]
        required = schema.get("required", [])
        for name, spec in schema.get("properties", {}).items():
            parameter = {"name": name, "in": "query",
                         "required": name in required,
                         "schema": {key: value for key, value in spec.items()
                                    if key != "nullable"}}
            operation["parameters"].append(parameter)
        return operation

    def to_openapi(self):
        document = super(MiniProgramService, self).to_openapi()
        document["components"] = {"securitySchemes": {"bearer": {
            "type": "http", "scheme": "bearer",
            "description": "Token from POST /mp/v1/auth/login",
        }}}
        document["security"] = [{"bearer": []}]
        # OpenAPI 3 requires a description on every response; base_rest
        # gives none to the 200 it derives from the output schema.
        for operations in document["paths"].values():
            for operation in operations.values():
                for response in operation["responses"].values():
                    response.setdefault("description", "Success")
                # ...and puts a parameter's default beside its schema.
                for parameter in operation.get("parameters", ()):
                    default = parameter.pop("default", None)
                    if default is not None:
                        parameter["schema"]["default"] = default
                    if parameter["in"] == "path":  # record ids
                        parameter["schema"].setdefault("minimum", 1)
                    bound_integers(parameter["schema"])
                bound_integers(operation.get("requestBody"))
        drop_empty_required(document)
        return document
