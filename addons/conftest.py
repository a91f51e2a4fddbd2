# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""pytest-odoo: one HTTP server for the whole session.

pytest-odoo's ``--odoo-http`` starts a server per test module, and every
start after the first fails to bind the port. The addon tests need a single
server thread (``HttpCase`` calls it in test mode), started once here.
"""
import odoo
import odoo.tests
import pytest


@pytest.fixture(scope="session", autouse=True)
def odoo_http_server():
    # odoo.tests.common read the port before pytest-odoo parsed the config.
    odoo.tests.common.PORT = odoo.tools.config["http_port"]
    server = odoo.service.server.ThreadedServer(
        odoo.service.wsgi_server.application)
    server.http_spawn()  # a daemon thread: it ends with the session
