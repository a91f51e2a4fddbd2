# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fixtures of the cross-addon tests: real servers, real HTTP.

``scripts/test`` runs these after the addon tests, against the same test
database (``MP_TEST_DB``) and the simulator at ``WECHAT_SIM_URL``. Writes
here are committed: the database is recreated by every run.
"""
import importlib.util
import os
import socket
import subprocess
import sys
import time

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DB = os.environ.get("MP_TEST_DB", "mp_test")
SIM_URL = os.environ.get("WECHAT_SIM_URL", "http://127.0.0.1:8901/")
ODOO_SHELL_PRELUDE = os.path.join(ROOT, "tests", "odoo_env.py")


SIMULATOR_SCRIPT = os.path.join(ROOT, "scripts", "wechat_simulator.py")


def load_simulator():
    """The simulator script as a module, for tests that embed it."""
    spec = importlib.util.spec_from_file_location(
        "wechat_simulator", SIMULATOR_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


wechat_simulator = load_simulator()


@pytest.fixture
def base(server):
    """The URL of a module's embedded simulator (its ``server`` fixture),
    with a freshly reset state."""
    requests.post(server.url + "/sim/reset").raise_for_status()
    return server.url


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_in_odoo(code, timeout=120):
    """Run ``code`` with ``env`` (superuser) on the test database, in a new
    process; returns its standard output."""
    result = subprocess.run(
        [sys.executable, ODOO_SHELL_PRELUDE, DB, code],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
        cwd=ROOT, universal_newlines=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="session")
def sim():
    """The simulator's control API."""
    base = SIM_URL.rstrip("/") + "/sim/"

    def call(method, path, **payload):
        response = requests.request(method, base + path,
                                    json=payload or None, timeout=10)
        response.raise_for_status()
        return response.json()
    call("GET", "health")
    return call


@pytest.fixture(scope="session")
def company_on_simulator():
    """Point the test company at the simulator (committed)."""
    run_in_odoo(
        "env.ref('base.main_company').write({'mp_api_root': %r,"
        " 'mp_rate_limit': 100000, 'mp_login_rate_limit': 100000});"
        " env.cr.commit()" % SIM_URL)


@pytest.fixture(scope="session")
def odoo_server(company_on_simulator):
    """Odoo in workers mode, WeChat Pay on the simulator; its base URL."""
    server = _start_odoo_server()
    run_in_odoo(WECHATPAY_ON_SIMULATOR % (SIM_URL, server.url))
    yield server.url
    server.stop()


WECHATPAY_ON_SIMULATOR = """
import time
env.ref('payment_wechatpay.payment_acquirer_wechatpay').write({
    'environment': 'test', 'website_published': True,
    'wechatpay_mch_id': '1900000109',
    'wechatpay_api_key': 'demo-mch-api-key-000000000000000',
    'wechatpay_api_root': %r, 'wechatpay_notify_base_url': %r,
    # numbers of earlier runs may still live in a reused simulator
    'wechatpay_number_prefix': 'X%%d' %% (time.time() %% 100000),
})
env.cr.commit()
"""


class _Server(object):
    def __init__(self, url, process, log):
        self.url, self.process, self.log = url, process, log

    def stop(self):
        self.process.terminate()
        self.process.wait(30)
        self.log.close()


def _start_odoo_server(workers=4, cron_threads=0, log_name="test-server"):
    """Odoo in workers mode on a free port (its log in
    ``.run/<log_name>.log``)."""
    port = free_port()
    log = open(os.path.join(ROOT, ".run", log_name + ".log"), "w")
    process = subprocess.Popen([
        os.path.join(ROOT, "scripts", "odoo"),
        "-c", os.path.join(ROOT, "config", "test.conf"),
        "--addons-path=%s" % os.environ.get("MP_ADDONS_PATH", ""),
        "-d", DB,
        "--http-port=%d" % port, "--longpolling-port=%d" % free_port(),
        "--workers=%d" % workers, "--max-cron-threads=%d" % cron_threads,
        "--log-level=warn",
    ], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    url = "http://127.0.0.1:%d" % port
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if requests.get(url + "/web/login", timeout=2).ok:
                break
        except requests.RequestException:
            pass
        assert process.poll() is None, \
            "Odoo exited, see .run/%s.log" % log_name
        time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("Odoo did not answer within 120 s")
    return _Server(url, process, log)
