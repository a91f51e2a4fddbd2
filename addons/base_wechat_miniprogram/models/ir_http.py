# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import contextlib

import psycopg2
from werkzeug.exceptions import MethodNotAllowed

from odoo import _, models
from odoo.http import request

from ..exceptions import MpMethodNotAllowed, MpServiceUnavailable
from ..http import MP_PATH_PREFIX

API_USER_XMLID = "base_wechat_miniprogram.user_mp_api"


class IrHttp(models.AbstractModel):
    """Authentication of the mini-program API (routes under ``/mp/``).

    ``mp_public`` and ``mp_token`` run the request as the API's technical
    user, which holds only the access rights the API needs; ``mp_token``
    also requires a valid bearer token and puts its partner in the context
    (``mp_partner_id``), which every service scopes its reads and writes to.
    """

    _inherit = "ir.http"

    @classmethod
    def _mp_run_as_api_user(cls):
        request.uid = request.env["ir.model.data"].xmlid_to_res_id(
            API_USER_XMLID, raise_if_not_found=True)

    @classmethod
    def _auth_method_mp_public(cls):
        cls._mp_run_as_api_user()
        with cls._mp_busy_is_503():
            request.env["mp.rate.limit"]._hit(
                "ip:%s" % request.httprequest.remote_addr,
                request.env.user.company_id.mp_login_rate_limit)

    @classmethod
    @contextlib.contextmanager
    def _mp_busy_is_503(cls):
        """Odoo turns any error during authentication into a 403 and does
        not retry it; a database under contention is a 503 instead."""
        try:
            yield
        except psycopg2.OperationalError:
            raise MpServiceUnavailable(
                _("The server is busy; please try again."), "busy")

    @classmethod
    def _auth_method_mp_token(cls):
        cls._mp_run_as_api_user()
        header = request.httprequest.headers.get("Authorization") or ""
        scheme, _sep, raw = header.partition(" ")
        with cls._mp_busy_is_503():
            identity = request.env["mp.api.token"]._authenticate(
                raw.strip() if scheme.lower() == "bearer" else None)
        request.context = dict(
            request.context, mp_partner_id=identity.partner_id,
            mp_token_id=identity.token_id, tz=identity.tz)
        with cls._mp_busy_is_503():
            request.env["mp.rate.limit"]._hit(
                "partner:%d" % identity.partner_id, identity.rate_limit)

    @classmethod
    def _find_handler(cls, return_rule=False):
        """A wrong method on an API path is a JSON 405, not an HTML page."""
        try:
            return super(IrHttp, cls)._find_handler(return_rule=return_rule)
        except MethodNotAllowed:
            if not request.httprequest.path.startswith(MP_PATH_PREFIX):
                raise
            raise MpMethodNotAllowed(
                _("This method is not allowed on this path."))
