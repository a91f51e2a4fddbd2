# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""WeChat Pay figures: notifies applied per second, and the reconciliation
of 10,000 expired pending transactions.

Run through ``scripts/bench``. Notifies: N quotations get a WeChat order
each (unifiedorder on the simulator), the simulator marks them paid, and
signed pay notifies are posted by C parallel clients to Odoo in workers
mode; each one confirms the order and queues the job that posts its paid
invoice, and the time until every invoice is booked is printed too.
Reconciliation:
T pending transactions past their lifetime, unpaid at WeChat, are settled
by the cron (orderquery + closeorder + cancel, one commit each), run after
run as ``ir.cron`` would; the total and the longest single transaction are
printed.
"""
import argparse
import concurrent.futures
import json
import os
import sys
import time

import psycopg2
import requests
from wechatpy.pay import WeChatPay
from wechatpy.pay.utils import calculate_signature, dict_to_xml

from bench import bench_bare_python, free_port, odoo_snippet as snippet
from bench import start_odoo
from bench_results import record, sql_seconds

APP_ID = "wxd0000000000demo"
MCH_ID = "1900000109"
API_KEY = "demo-mch-api-key-000000000000000"


CONFIGURE = """
import time
env.ref('base.main_company').write({'mp_api_root': %(sim)r})
env.ref('payment_wechatpay.payment_acquirer_wechatpay').write({
    'environment': 'test', 'website_published': True,
    'wechatpay_mch_id': %(mch)r, 'wechatpay_api_key': %(key)r,
    'wechatpay_api_root': %(sim)r, 'wechatpay_notify_base_url': %(odoo)r,
    'wechatpay_number_prefix': 'B%%d' %% (time.time() %% 100000)})
env.cr.commit()
"""

OPEN_ORDERS = """
import json
partner = env['res.partner'].create({'name': 'Bench payer',
                                     'mp_openid': 'o_bench_payer'})
product = env['product.product'].create({
    'name': 'Bench ticket', 'type': 'service', 'invoice_policy': 'order',
    'list_price': 1.0, 'taxes_id': [(6, 0, [])]})
result = []
for _i in range(%(count)d):
    order = env['sale.order'].create({
        'partner_id': partner.id,
        'order_line': [(0, 0, {'product_id': product.id,
                               'product_uom_qty': 1, 'price_unit': 1.0,
                               'tax_id': [(6, 0, [])]})]})
    tx = env['payment.transaction']._wechatpay_open(order, 100, order.name)
    result.append(tx.wechatpay_out_trade_no)
    env.cr.commit()
print(json.dumps(result))
"""

EXPIRED_PENDING = """
import json
acquirer = env.ref('payment_wechatpay.payment_acquirer_wechatpay')
partner = env['res.partner'].search([('mp_openid', '=', 'o_bench_payer')],
                                    limit=1)
prefix = acquirer.wechatpay_number_prefix + 'E'
env.cr.execute('''
    INSERT INTO payment_transaction (acquirer_id, type, state, amount,
        currency_id, reference, partner_id, partner_country_id,
        wechatpay_out_trade_no, wechatpay_total_fee, wechatpay_expire_at,
        create_uid, write_uid, create_date, write_date)
    SELECT %%s, 'server2server', 'pending', 1.0, %%s, %%s || g, %%s, %%s,
        %%s || lpad(g::text, 12, '0'), 100,
        now() at time zone 'UTC' - interval '10 minutes',
        1, 1, now() at time zone 'UTC', now() at time zone 'UTC'
    FROM generate_series(1, %(count)d) g
    RETURNING wechatpay_out_trade_no''', [
    acquirer.id, acquirer.company_id.currency_id.id, prefix, partner.id,
    acquirer.company_id.country_id.id, prefix])
numbers = [row[0] for row in env.cr.fetchall()]
env.cr.commit()
print(json.dumps(numbers))
"""

RECONCILE = """
import json, time
Tx = env['payment.transaction']
cls = type(Tx)
slowest = [0.0]
original = cls._wechatpay_reconcile_one


def timed(self):
    start = time.time()
    try:
        return original(self)
    finally:
        slowest[0] = max(slowest[0], time.time() - start)


cls._wechatpay_reconcile_one = timed
runs, handled, start = 0, 0, time.time()
while True:
    count = Tx._cron_wechatpay_reconcile()
    if not count:
        break
    runs += 1
    handled += count
total = time.time() - start
env.cr.execute("SELECT count(*) FROM payment_transaction WHERE state ="
               " 'cancel' AND wechatpay_out_trade_no LIKE %%s", [%(like)r])
print(json.dumps({'runs': runs, 'handled': handled, 'seconds': total,
                  'slowest': slowest[0],
                  'cancelled': env.cr.fetchone()[0]}))
"""


def wechatpay(simulator):
    client = WeChatPay(APP_ID, API_KEY, MCH_ID, timeout=10)
    client.API_BASE_URL = simulator
    return client


def pay_notify(order):
    """The notify WeChat sends for a paid order of the simulator."""
    values = {
        "return_code": "SUCCESS", "result_code": "SUCCESS",
        "appid": APP_ID, "mch_id": MCH_ID, "nonce_str": "bench",
        "openid": order["openid"], "out_trade_no": order["out_trade_no"],
        "transaction_id": order["transaction_id"],
        "total_fee": order["total_fee"], "cash_fee": order["total_fee"],
        "fee_type": "CNY", "time_end": order["time_end"],
        "trade_type": "JSAPI", "bank_type": "OTHERS",
    }
    return dict_to_xml(values, calculate_signature(values, API_KEY))


def percentile(values, fraction):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * fraction))]


def bench_notifies(args, url):
    numbers = json.loads(snippet(args.db, OPEN_ORDERS % {
        "count": args.notifies}))
    bodies = []
    for number in numbers:
        order = requests.post(args.simulator + "sim/pay", json={
            "out_trade_no": number, "notify": False},
            timeout=10).json()["order"]
        bodies.append(pay_notify(order))
    session = requests.Session()

    def post(body):
        start = time.time()
        response = session.post(url + "/payment/wechatpay/notify/pay",
                                data=body.encode("utf-8"), timeout=120)
        return response.status_code, time.time() - start

    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
        results = list(pool.map(post, bodies))
    elapsed = time.time() - start
    latencies = [latency for _status, latency in results]
    booked = wait_for_invoices(args.db, numbers, args.booking_timeout)
    return {
        "booked": booked,
        "booking_seconds": time.time() - start,
        "count": len(results),
        "ok": sum(status == 200 for status, _latency in results),
        "per_second": len(results) / elapsed,
        "p50": percentile(latencies, 0.5) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
    }


def wait_for_invoices(db, numbers, timeout):
    """Wait until the job runner booked the invoice of every payment (or
    ``timeout``); the number booked. Polls PostgreSQL directly: an Odoo
    process per poll would take the CPU the job runner needs."""
    deadline = time.time() + timeout
    connection = psycopg2.connect(dbname=db)
    connection.autocommit = True
    try:
        while True:
            with connection.cursor() as cr:
                cr.execute(
                    "SELECT count(*) FROM payment_transaction WHERE"
                    " wechatpay_payment_id IS NOT NULL AND"
                    " wechatpay_out_trade_no IN %s", [tuple(numbers)])
                booked = cr.fetchone()[0]
            if booked >= len(numbers) or time.time() > deadline:
                return booked
            time.sleep(1)
    finally:
        connection.close()


def bench_reconciliation(args):
    numbers = json.loads(snippet(args.db, EXPIRED_PENDING % {
        "count": args.expired}))
    client = wechatpay(args.simulator)

    def place(number):
        client.order.create(
            trade_type="JSAPI", body="bench", total_fee=100,
            notify_url="http://127.0.0.1:9/", client_ip="127.0.0.1",
            user_id="o_bench_payer", out_trade_no=number)

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(place, numbers))
    like = numbers[0][:-12] + "%"
    floor = sql_seconds(
        args.db, "UPDATE payment_transaction SET state = 'cancel'"
        " WHERE wechatpay_out_trade_no LIKE %s", [like])
    return dict(json.loads(snippet(args.db, RECONCILE % {"like": like})),
                floor=floor)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--simulator", required=True)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--notifies", type=int, default=200)
    parser.add_argument("--booking-timeout", type=int, default=600)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--expired", type=int, default=10000)
    args = parser.parse_args()
    port = free_port()
    url = "http://127.0.0.1:%d" % port
    snippet(args.db, CONFIGURE % {"sim": args.simulator, "mch": MCH_ID,
                                  "key": API_KEY, "odoo": url})
    process, url = start_odoo(args.db, port, args.workers)
    try:
        bare = bench_bare_python(url, args.clients, 5)
        notifies = bench_notifies(args, url)
    finally:
        process.terminate()
        process.wait(30)
    reconciliation = bench_reconciliation(args)
    record("WeChat Pay", "pay notifies (%d clients; verify, settle, "
           "confirm)" % args.clients, notifies["per_second"], "req/s",
           "bare route (Python clients)", bare, None, notifies["p50"],
           notifies["p99"])
    record("bulk", "reconciliation of %d expired payments (cron)"
           % reconciliation["handled"], reconciliation["seconds"], "s",
           "one UPDATE of the transactions", reconciliation["floor"],
           note="%d cancelled" % reconciliation["cancelled"])
    print()
    print("WeChat Pay, Odoo workers=%d, %d cores" % (args.workers,
                                                     os.cpu_count()))
    print("pay notifies: %d posted by %d clients, %d answered SUCCESS: "
          "%.1f notifies/s, p50 %.0f ms, p99 %.0f ms (each confirms an "
          "order and queues its invoice)" % (
              notifies["count"], args.clients, notifies["ok"],
              notifies["per_second"], notifies["p50"], notifies["p99"]))
    print("accounting: %d of %d paid invoices booked by the job runner "
          "%.1f s after the first notify (%.2f invoices/s)" % (
              notifies["booked"], notifies["count"],
              notifies["booking_seconds"],
              notifies["booked"] / notifies["booking_seconds"]))
    print("reconciliation: %d expired pending transactions settled in "
          "%d cron runs, %.1f s in total (%.1f ms each), longest "
          "transaction %.0f ms; %d cancelled" % (
              reconciliation["handled"], reconciliation["runs"],
              reconciliation["seconds"],
              reconciliation["seconds"] * 1000 / max(
                  reconciliation["handled"], 1),
              reconciliation["slowest"] * 1000,
              reconciliation["cancelled"]))
    if notifies["ok"] != notifies["count"]:
        sys.exit("some notifies were not acknowledged")


if __name__ == "__main__":
    main()
