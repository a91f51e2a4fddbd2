# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Test helpers: the real Odoo HTTP stack and the WeChat simulator.

Requests go over real HTTP to the server pytest-odoo (``--odoo-http``) or
Odoo's test runner starts, in test mode (one shared, rolled-back cursor).
WeChat is the simulator of ``scripts/wechat_simulator.py`` at
``WECHAT_SIM_URL``, which ``scripts/test`` starts.
"""
import os

import requests

from odoo import SUPERUSER_ID, api
from odoo.tests import common

SIM_URL = os.environ.get("WECHAT_SIM_URL", "http://127.0.0.1:8901/")
SIM_APP_ID = "wxd0000000000demo"


class Simulator(object):
    """The simulator's control API (``/sim/...``)."""

    def __init__(self, url=SIM_URL):
        self.url = url.rstrip("/") + "/sim/"

    def call(self, method, path, **payload):
        response = requests.request(
            method, self.url + path, json=payload or None, timeout=10)
        response.raise_for_status()
        return response.json()

    def login_code(self, user, **extra):
        return self.call("POST", "login-code", user=user, **extra)

    def messages(self, touser=None):
        path = "messages" + ("?touser=%s" % touser if touser else "")
        return self.call("GET", path)["messages"]

    def fault(self, endpoint, **fault):
        return self.call("POST", "faults", endpoint=endpoint, **fault)

    def stats(self):
        return self.call("GET", "stats")


class MiniProgramCase(common.HttpCase):
    """An HTTP test of ``/mp/v1/`` against the simulator.

    Odoo 11's ``HttpCase`` serves requests on the registry's test cursor
    but gives the test another one, so neither would see the other's
    writes. Here the test works on the test cursor too: it "commits" (a
    savepoint) before each call, so that a request that fails and rolls
    back does not take the test's own set-up with it, and reads fresh
    values after each call.
    """

    def setUp(self):
        super(MiniProgramCase, self).setUp()
        self.env = api.Environment(self.registry.test_cr, SUPERUSER_ID, {})
        self.sim = Simulator()
        self.sim.call("POST", "reset")
        self.company = self.env.ref("base.main_company")
        self.company.write({
            "mp_app_id": SIM_APP_ID,
            "mp_app_secret": "demo-app-secret-0000000000000000",
            "mp_api_root": SIM_URL,
            "mp_rate_limit": 1000,
        })
        self.session = requests.Session()

    def api(self, method, path, token=None, json=None, data=None,
            headers=None):
        """Call ``/mp/v1/<path>``; returns the ``requests`` response."""
        # A savepoint of the test cursor, not a real commit.
        self.env.cr.commit()  # pylint: disable=invalid-commit
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = "Bearer %s" % token
        response = self.session.request(
            method, "http://%s:%s/mp/v1/%s" % (
                common.HOST, common.PORT, path),
            json=json, data=data, headers=all_headers, timeout=30)
        self.env.clear()  # values changed by the request
        return response

    def login(self, user, **extra):
        """Log in as simulator user ``user``; returns the login body."""
        code = self.sim.login_code(user, **extra)["code"]
        response = self.api("POST", "auth/login", json={"code": code})
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def assertError(self, response, status, code=None):
        """The response is the pack's JSON error with ``status``."""
        self.assertEqual(response.status_code, status, response.text)
        self.assertTrue(
            response.headers["Content-Type"].startswith("application/json"))
        error = response.json()["error"]
        self.assertTrue(error["message"])
        self.assertNotIn("Traceback", response.text)
        if code:
            self.assertEqual(error["code"], code)
        return error
