# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The request class of the mini-program API (paths under ``/mp/``).

base_rest answers errors as ``{"code", "name"}`` and lets a malformed JSON
body crash the request. The mini-program needs DESIGN.md's single error
shape, ``{"error": {"code", "message"}}``, with the right status, in the
caller's language, never a traceback; so requests under ``/mp/`` get this
subclass, chained in front of base_rest's own ``get_request``.
"""
import json
import logging

import psycopg2
from werkzeug.exceptions import HTTPException

import odoo
from odoo import _
from odoo.exceptions import (AccessDenied, AccessError, MissingError,
                             UserError, ValidationError)
from odoo.http import Root

from odoo.addons.base_rest.core import _rest_services_databases
from odoo.addons.base_rest.http import HttpRestRequest, JSONEncoder
from odoo.addons.component.exception import NoComponentError

from .exceptions import MpApiError, MpBadRequest

_logger = logging.getLogger(__name__)

try:
    import pyquerystring
except ImportError as err:  # pragma: no cover
    _logger.debug(err)

MP_PATH_PREFIX = "/mp/"
#: Language of API messages when the caller sends no Accept-Language.
DEFAULT_LANG = "zh_CN"


def holds_nul(value):
    """Whether a parsed request holds a NUL character anywhere."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def error_body(status, code, message, details=None):
    error = {"code": code, "message": message}
    if details:
        error["details"] = details
    return status, {"error": error}


def describe_exception(exception):
    """(HTTP status, body) of any exception raised under ``/mp/``."""
    if isinstance(exception, MpApiError):
        return error_body(exception.code, exception.error_code,
                          exception.message, exception.details)
    if isinstance(exception, HTTPException):
        code = (exception.name or "error").lower().replace(" ", "_")
        return error_body(exception.code, code, exception.name)
    if isinstance(exception, (UserError, ValidationError)):
        return error_body(400, "invalid_input", exception.name)
    if isinstance(exception, (MissingError, NoComponentError)):
        return error_body(404, "not_found", _("Not found."))
    if isinstance(exception, (AccessError, AccessDenied)):
        return error_body(403, "forbidden", _("Not allowed."))
    if isinstance(exception, psycopg2.OperationalError):
        return error_body(503, "busy", _(
            "The server is busy; please try again."))
    return error_body(500, "internal_error", _(
        "Something went wrong on our side; please try again later."))


class MiniProgramRequest(HttpRestRequest):
    """base_rest request with safe JSON parsing and the pack's errors."""

    def __init__(self, httprequest):
        # pylint: disable=bad-super-call
        super(HttpRestRequest, self).__init__(httprequest)
        self.mp_parse_error = None
        if self.httprequest.mimetype == "application/json" \
                and self.httprequest.method not in ("GET", "HEAD", "DELETE"):
            try:
                params = json.loads(self.httprequest.get_data().decode(
                    self.httprequest.charset) or "{}")
            except Exception as err:  # bad JSON, bad UTF-8, too deep
                params, self.mp_parse_error = {}, type(err).__name__
            if not isinstance(params, dict):
                params, self.mp_parse_error = {}, "not a JSON object"
            self.params = params
        else:
            self.params = self._parse_query_string()
        if holds_nul(self.params):
            # PostgreSQL text cannot hold NUL: refuse it here, as a 400.
            self.params, self.mp_parse_error = {}, "NUL character"
        self._determine_context_lang()

    def _determine_context_lang(self):
        """The caller's language when installed, else Chinese."""
        self.context = dict(self.context, lang=DEFAULT_LANG)
        try:
            super(MiniProgramRequest, self)._determine_context_lang()
        except ValueError:  # a malformed Accept-Language header
            self.context = dict(self.context, lang=DEFAULT_LANG)

    def _parse_query_string(self):
        try:
            return pyquerystring.parse(
                self.httprequest.query_string.decode("utf-8"))
        except Exception as err:  # malformed query strings
            self.mp_parse_error = str(err)
            return {}

    def dispatch(self):
        self._forget_session()
        if self.mp_parse_error:
            raise MpBadRequest(_("The request is not a valid JSON object "
                                 "or holds a NUL character."),
                               "invalid_json")
        return super(MiniProgramRequest, self).dispatch()

    def _forget_session(self):
        """Do not store a web session: the API authenticates by token.

        Odoo marks every new session modified when it sets its database,
        which would write a session file per API call.
        """
        self.session.modified = False

    def _handle_exception(self, exception):
        self._failed = exception  # roll the transaction back
        self._forget_session()
        status, body = describe_exception(exception)
        if status >= 500:
            _logger.exception("Mini-program API error on %s",
                              self.httprequest.path)
        elif isinstance(exception, (AccessError, AccessDenied)):
            # The API user lacks a right: a defect of the addon, not of
            # the call.
            _logger.warning("Mini-program API %s %s: access refused: %s",
                            self.httprequest.method, self.httprequest.path,
                            exception)
        else:
            _logger.info("Mini-program API %s %s: %s %s",
                         self.httprequest.method, self.httprequest.path,
                         status, body["error"]["code"])
        response = self.make_json_response(body)
        response.status_code = status
        if status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    def make_json_response(self, data, headers=None, cookies=None):
        return self.make_response(
            JSONEncoder(ensure_ascii=False).encode(data).encode("utf-8"),
            headers=dict(headers or {},
                         **{"Content-Type": "application/json; "
                                            "charset=utf-8"}),
            cookies=cookies)


def single_database():
    """The one database this server serves (``db_name`` without
    ``dbfilter``), or None."""
    names = [name.strip() for name in
             (odoo.tools.config["db_name"] or "").split(",") if name.strip()]
    if len(names) == 1 and not odoo.tools.config["dbfilter"]:
        return names[0]
    return None


_next_setup_db = Root.setup_db


def setup_db(self, httprequest):
    """Give API calls the server's single database without listing.

    A mini-program call carries no web session, so Odoo would list every
    database of the PostgreSQL server (a new connection) on each call to
    find the only one it may serve.
    """
    if httprequest.path.startswith(MP_PATH_PREFIX) \
            and not httprequest.session.db:
        database = single_database()
        if database:
            httprequest.session.db = database
            return
    _next_setup_db(self, httprequest)


Root.setup_db = setup_db
_next_get_request = Root.get_request


def get_request(self, httprequest):
    db = httprequest.session.db
    if db and httprequest.path.startswith(MP_PATH_PREFIX):
        odoo.registry(db)  # loads the services of the database
        for root_path in _rest_services_databases.get(db) or ():
            if root_path.startswith(MP_PATH_PREFIX) \
                    and httprequest.path.startswith(root_path):
                return MiniProgramRequest(httprequest)
    return _next_get_request(self, httprequest)


Root.get_request = get_request
