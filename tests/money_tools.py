# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the money audit's test and the fault suites share: the audit
(``scripts/audit``), waiting until no money is in flight, SQL, logging in
and paying over HTTP."""
import atexit
import json
import os
import subprocess
import sys
import threading
import time

import psycopg2
import requests

from conftest import DB, ODOO_SHELL_PRELUDE, ROOT, SIM_URL

AUDIT = os.path.join(ROOT, "scripts", "audit")

#: The loop of ``odoo()``'s process: a snippet per line (JSON) on stdin,
#: each run like ``run_in_odoo``'s in a new cursor; its output and
#: traceback as a JSON line on stdout.
SHELL_LOOP = """
import contextlib, io, json, sys, traceback
env.cr.rollback()
db = env.cr.dbname
for line in sys.stdin:
    out, ok = io.StringIO(), True
    try:
        registry = odoo.registry(db).check_signaling()
        with contextlib.redirect_stdout(out), \\
                odoo.api.Environment.manage(), registry.cursor() as cr:
            exec(json.loads(line), {
                'env': odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}),
                'odoo': odoo})
    except Exception:
        ok = False
        out.write(traceback.format_exc())
    sys.__stdout__.write(json.dumps([ok, out.getvalue()]) + '\\n')
    sys.__stdout__.flush()
"""


CONFLICT_ERRORS = ("psycopg2.errors.SerializationFailure",
                   "psycopg2.errors.LockNotAvailable",
                   "psycopg2.errors.DeadlockDetected")


class _OdooShell(object):
    """One Odoo process that keeps its registry loaded between snippets:
    an Odoo shell costs seconds to start on a busy machine, a snippet run
    here a fraction of that."""

    def __init__(self):
        self.process = None
        self.lock = threading.Lock()

    def __call__(self, code, timeout=120, attempts=5):
        """Run ``code``; one that lost a race to a server (serialization
        failure, lock taken NOWAIT) is run again, as Odoo's RPC does:
        snippets commit once, at their end."""
        for attempt in range(1, attempts + 1):
            ok, output = self._run(code, timeout)
            if ok or attempt == attempts or not any(
                    error in output for error in CONFLICT_ERRORS):
                break
            time.sleep(0.5 * attempt)
        assert ok, output[-3000:]
        return output

    def _run(self, code, timeout):
        with self.lock:
            if self.process is None or self.process.poll() is not None:
                self.log = open(os.path.join(
                    ROOT, ".run", "%s-snippets.log" % DB), "a")
                self.process = subprocess.Popen(
                    [sys.executable, ODOO_SHELL_PRELUDE, DB, SHELL_LOOP],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=self.log, cwd=ROOT, universal_newlines=True)
            self.process.stdin.write(json.dumps(code) + "\n")
            self.process.stdin.flush()
            timer = threading.Timer(timeout, self.process.kill)
            timer.start()
            try:
                line = self.process.stdout.readline()
            finally:
                timer.cancel()
        assert line, "the Odoo snippet process died (timeout %ss?)" % timeout
        return json.loads(line)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(30)


#: ``run_in_odoo``'s equal (``env`` as superuser, what it prints is
#: returned), in a process kept between calls.
odoo = _OdooShell()
atexit.register(odoo.stop)


def sql(query, params=()):
    """Rows of ``query`` (committed when it writes)."""
    connection = psycopg2.connect(dbname=DB)
    try:
        with connection.cursor() as cr:
            cr.execute(query, params)
            rows = cr.fetchall() if cr.description else []
        connection.commit()
        return rows
    finally:
        connection.close()


def db_now():
    """The database's clock, naive UTC (Odoo's create_date)."""
    return sql("SELECT now() at time zone 'UTC'")[0][0]


def audit(since=None):
    """``scripts/audit`` on the test database: (exit status, output)."""
    command = [AUDIT, "--db", DB, "--simulator", SIM_URL]
    if since is not None:
        command += ["--since", str(since)]
    result = subprocess.run(command, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, timeout=180,
                            universal_newlines=True, cwd=ROOT)
    return result.returncode, result.stdout


def assert_audit_clean(since):
    code, output = audit(since)
    assert code == 0, output
    return output


IN_FLIGHT = """
SELECT
  (SELECT count(*) FROM queue_job WHERE state IN ('pending', 'enqueued',
     'started') AND channel LIKE 'root.wechatpay%%' AND date_created >= %s),
  (SELECT count(*) FROM wechatpay_refund WHERE state = 'pending'
     AND create_date >= %s),
  (SELECT count(*) FROM wechatpay_payout WHERE state = 'pending'
     AND create_date >= %s),
  (SELECT count(*) FROM payment_transaction WHERE state = 'done'
     AND wechatpay_payment_id IS NULL AND create_date >= %s
     AND acquirer_id IN (SELECT id FROM payment_acquirer
                         WHERE provider = 'wechatpay'))
"""

SEND_AND_QUERY = """
env['wechatpay.refund']._cron_settle()
env['wechatpay.payout']._cron_send()
"""


def in_flight(since):
    """(money jobs to run, refunds pending, payouts pending, payments
    done but not booked) among the records created since ``since``."""
    return sql(IN_FLIGHT, [since] * 4)[0]


def settle_money(since, timeout=120):
    """Wait until the money that moves after ``since`` has landed: jobs
    run by the server's job runner, refunds and payouts settled (their
    crons run when no job is left to do it). Returns what is still in
    flight (all zeros when settled)."""
    deadline = time.time() + timeout
    quiet_since = None
    while True:
        jobs, refunds, payouts, unbooked = state = in_flight(since)
        if not any(state) or time.time() > deadline:
            return state
        if jobs or unbooked:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.time()
        elif time.time() - quiet_since > 2:
            # Nothing queued, yet refunds or payouts wait: what the crons
            # do every few minutes, now.
            odoo(SEND_AND_QUERY)
            quiet_since = None
        time.sleep(0.3)


def wait_for(check, timeout=120, pause=0.3):
    deadline = time.time() + timeout
    while True:
        value = check()
        if value or time.time() > deadline:
            return value
        time.sleep(pause)


def login(server, sim, user):
    code = sim("POST", "login-code", user=user)["code"]
    response = requests.post(server + "/mp/v1/auth/login",
                             json={"code": code}, timeout=60)
    assert response.status_code == 200, response.text
    body = response.json()
    return {"Authorization": "Bearer " + body["token"]}, body["profile"]["id"]


MAKE_ORDERS = """
import json
partner = env['res.partner'].browse(%(partner)d)
product = env['product.product'].create({
    'name': 'Fault ticket', 'type': 'service', 'invoice_policy': 'order',
    'list_price': %(price)s, 'taxes_id': [(6, 0, [])]})
orders = env['sale.order']
for _i in range(%(count)d):
    orders |= env['sale.order'].create({
        'partner_id': partner.id,
        'order_line': [(0, 0, {'product_id': product.id, 'product_uom_qty': 1,
                               'price_unit': %(price)s,
                               'tax_id': [(6, 0, [])]})]})
env.cr.commit()
print(json.dumps(orders.ids))
"""


def make_orders(partner_id, count, price):
    """``count`` quotations of ``price`` CNY (a string) for the partner."""
    return json.loads(odoo(MAKE_ORDERS % {
        "partner": partner_id, "count": count, "price": price}))


def pay(server, auth, order_id, method="wechatpay"):
    """``POST /mp/v1/payments``: (status, body)."""
    for _attempt in range(5):
        try:
            response = requests.post(
                server + "/mp/v1/payments", headers=auth,
                json={"order_id": order_id, "method": method}, timeout=120)
            return response.status_code, response.json()
        except requests.ConnectionError:
            time.sleep(0.5)  # see test_wechatpay_concurrency: a backlog
    raise AssertionError("no answer for order %d" % order_id)


def tx_state(tx_id):
    rows = sql("SELECT state, wechatpay_late, wechatpay_payment_id IS NOT"
               " NULL FROM payment_transaction WHERE id = %s", [tx_id])
    return rows[0] if rows else None
