# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import random
import time

import psycopg2.extensions

from odoo.http import request, route
from odoo.tools import mute_logger

from odoo.addons.base_rest.controllers.main import RestController

#: Tries of a call that lost a race for a row (serialization failure).
SERIALIZATION_ATTEMPTS = 8


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

    def _process_method(self, service_name, method_name, _id=None,
                        params=None):
        """Run the call again when it lost a race for a row.

        Odoo's transactions are REPEATABLE READ: two calls that update or
        lock the same row at once (a wallet, a seat counter) cannot both
        commit, and the loser gets a serialization failure. Such a call
        changed nothing, so it is rolled back and replayed on a fresh
        snapshot, after a short random pause; only a call that keeps
        losing becomes a 503.
        """
        for attempt in range(1, SERIALIZATION_ATTEMPTS + 1):
            try:
                with mute_logger("odoo.sql_db"):
                    return super(MiniProgramController, self)._process_method(
                        service_name, method_name, _id=_id, params=params)
            except psycopg2.extensions.TransactionRollbackError:
                if attempt == SERIALIZATION_ATTEMPTS:
                    raise
                request.env.cr.rollback()
                request.env.clear()
                time.sleep(random.uniform(0, 0.02 * attempt))

    def _get_component_context(self):
        context = super(MiniProgramController, self)._get_component_context()
        env = request.env
        context["partner"] = env["res.partner"].browse(
            env.context.get("mp_partner_id"))
        context["token"] = env["mp.api.token"].browse(
            env.context.get("mp_token_id"))
        return context
