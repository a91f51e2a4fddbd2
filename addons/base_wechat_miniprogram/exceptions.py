# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Errors of the mini-program API, one per HTTP status of DESIGN.md s. 4.

They are werkzeug ``HTTPException`` subclasses so that Odoo treats them as
handled errors (the transaction is rolled back, nothing is written) and the
mini-program request renders them as ``{"error": {"code", "message"}}``.
Business code raises them where the status matters (409 for a state
conflict); Odoo's own ``UserError``/``ValidationError`` map to 400,
``AccessError`` to 403 and ``MissingError`` to 404.
"""
from werkzeug.exceptions import HTTPException, NotFound


class MpApiError(HTTPException):
    """Base of the API errors: ``error_code`` is the stable machine code."""

    code = 400
    error_code = "bad_request"

    def __init__(self, message, error_code=None, details=None):
        super(MpApiError, self).__init__(description=message)
        self.message = message
        if error_code:
            self.error_code = error_code
        self.details = details


class MpBadRequest(MpApiError):
    code = 400
    error_code = "invalid_input"


class MpUnauthorized(MpApiError):
    code = 401
    error_code = "unauthorized"


class MpForbidden(MpApiError):
    code = 403
    error_code = "forbidden"


class MpNotFound(MpApiError):
    code = 404
    error_code = "not_found"


class MpConflict(MpApiError):
    code = 409
    error_code = "conflict"


class MpTooManyRequests(MpApiError):
    code = 429
    error_code = "rate_limited"


class MpServiceUnavailable(MpApiError):
    """WeChat could not be reached or answered with a system error."""

    code = 503
    error_code = "wechat_unavailable"


class MpMethodNotAllowed(MpApiError, NotFound):
    """405. A ``NotFound`` subclass because Odoo's dispatcher hands only
    ``NotFound`` routing errors to the request's error handler; any other
    routing error would be answered as an HTML page."""

    code = 405
    error_code = "method_not_allowed"
