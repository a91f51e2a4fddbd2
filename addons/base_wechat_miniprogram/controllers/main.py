# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _
from odoo.http import request, route

from odoo.addons.base_rest.controllers.main import RestController

from ..exceptions import MpNotFound
from ..tools import replay_on_conflict

#: Tries of a call that lost a race for a row (serialization failure).
SERIALIZATION_ATTEMPTS = 8
#: Largest record id (PostgreSQL ``integer``).
MAX_ID = 2 ** 31 - 1


class MiniProgramController(RestController):
    """``/mp/v1/``: the mini-program API, services of ``mp.v1.services``.

    Every route needs a bearer token (``mp_token`` auth) except the login.
    Besides base_rest's routes it maps ``PUT /mp/v1/<service>`` to the
    service's ``update`` for singleton resources such as ``/mp/v1/me``.
    """

    _root_path = "/mp/v1/"
    _collection_name = "mp.v1.services"
    _default_auth = "mp_token"

    @route(["auth/login"], methods=["POST"], auth="mp_public")
    def login(self, **params):
        return self._process_method("auth", "login", None, params)

    @route(["<string:_service_name>"], methods=["PUT"])
    def update_singleton(self, _service_name, **params):
        return self._process_method(_service_name, "update", None, params)

    @route(["<string:_service_name>/<string:method_name>",
            "<string:_service_name>/<int:_id>/<string:method_name>"],
           methods=["GET"])
    def get_named(self, _service_name, method_name, _id=None, **params):
        """``GET /mp/v1/<service>[/<id>]/<method>``: a read-only method
        the service lists in ``_mp_get_methods`` (base_rest routes only
        ``get`` and ``search`` for GET); anything else is a 405."""
        request.mp_read_call = True
        return self._process_method(_service_name, method_name, _id, params)

    def _process_method(self, service_name, method_name, _id=None,
                        params=None):
        """Run the call again when it lost a race for a row (a wallet, a
        seat counter): see ``tools.replay_on_conflict``; only a call that
        keeps losing becomes a 503.

        An id outside 1..MAX_ID names no record: 404 (base_rest would
        answer ``GET <service>/0`` as the list and pass no id to other
        methods; PostgreSQL refuses a larger one)."""
        if _id is not None and not 0 < _id <= MAX_ID:
            raise MpNotFound(_("Not found."))
        return replay_on_conflict(
            request.env,
            lambda: super(MiniProgramController, self)._process_method(
                service_name, method_name, _id=_id, params=params),
            attempts=SERIALIZATION_ATTEMPTS)

    def _get_component_context(self):
        context = super(MiniProgramController, self)._get_component_context()
        env = request.env
        context["partner"] = env["res.partner"].browse(
            env.context.get("mp_partner_id"))
        context["token"] = env["mp.api.token"].browse(
            env.context.get("mp_token_id"))
        return context
