# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""WeChat Pay under races, on a real server in workers mode.

Notifies and the reconciliation cron race for the same transactions; 50
mini-program clients spend one wallet at once. Afterwards the books must
balance and match the simulator's bill.
"""
import concurrent.futures
import json
import time

import pytest
import requests

from conftest import run_in_odoo

MAKE_ORDERS = """
import json
partner = env['res.partner'].browse(%(partner)d)
product = env['product.product'].create({
    'name': 'Race ticket', 'type': 'service', 'invoice_policy': 'order',
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

EXPIRE = """
env.cr.execute(
    "UPDATE payment_transaction SET wechatpay_expire_at ="
    " now() at time zone 'UTC' - interval '10 minutes' WHERE id IN %%s",
    [tuple(%r)])
env.cr.commit()
"""

RECONCILE = """
print(env['payment.transaction']._cron_wechatpay_reconcile())
"""

BOOKS = """
import json
from odoo.addons.payment_wechatpay.wechat.times import beijing_today
acquirer = env.ref('payment_wechatpay.payment_acquirer_wechatpay')
env.cr.execute('''SELECT count(*) FROM (SELECT move_id FROM account_move_line
    GROUP BY move_id HAVING round(sum(debit) - sum(credit), 2) != 0) t''')
unbalanced = env.cr.fetchone()[0]
bill = env['wechatpay.bill']._check_day(acquirer, beijing_today())
# Payments and refunds of the modules that ran before this one are in
# Odoo only: the reset of the simulator made WeChat forget them.
problems = bill.mismatch_ids.filtered(lambda m: not (
    m.cause == 'missing_in_bill' and
    m.transaction_id.id <= %(tx)d and m.refund_id.id <= %(refund)d))
env.cr.commit()
print(json.dumps({'unbalanced': unbalanced,
                  'notes': problems.mapped('note')}))
"""

#: The last transaction and refund made before this module.
BEFORE = {}


@pytest.fixture(scope="module", autouse=True)
def fresh_merchant(sim):
    """WeChat's side starts empty: the bill of the day is then exactly
    this module's payments (the database is new on every run), plus
    those of earlier modules, in Odoo only."""
    sim("POST", "reset")
    BEFORE.update(json.loads(run_in_odoo(
        "import json\n"
        "env.cr.execute('SELECT COALESCE(max(id), 0) FROM"
        " payment_transaction')\n"
        "tx = env.cr.fetchone()[0]\n"
        "env.cr.execute('SELECT COALESCE(max(id), 0) FROM"
        " wechatpay_refund')\n"
        "print(json.dumps({'tx': tx, 'refund': env.cr.fetchone()[0]}))")))


def login(server, sim, user):
    code = sim("POST", "login-code", user=user)["code"]
    response = requests.post(server + "/mp/v1/auth/login",
                             json={"code": code}, timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    return {"Authorization": "Bearer " + body["token"]}, body["profile"]["id"]


def make_orders(partner_id, count, price):
    return json.loads(run_in_odoo(MAKE_ORDERS % {
        "partner": partner_id, "count": count, "price": price}))


def order_facts(order_ids, invoiced=0, timeout=90):
    """Facts about the orders, once at least ``invoiced`` of them have
    their invoice (booked by the job runner after the notify)."""
    deadline = time.time() + timeout
    while True:
        facts = _order_facts(order_ids)
        if sum(f["invoices"] for f in facts) >= invoiced or \
                time.time() > deadline:
            return facts
        time.sleep(0.5)


def _order_facts(order_ids):
    return json.loads(run_in_odoo("""
import json
orders = env['sale.order'].browse(%r)
print(json.dumps([{
    'state': o.state, 'invoices': len(o.invoice_ids),
    'paid': o.invoice_ids.mapped('state') == ['paid'],
    'payments': len(o.invoice_ids.mapped('payment_ids')),
    'tx': [t.state for t in o.wechatpay_transaction_ids]} for o in orders]))
""" % order_ids))


def assert_books_match(sim):
    facts = json.loads(run_in_odoo(BOOKS % BEFORE))
    assert facts["unbalanced"] == 0
    assert facts["notes"] == []


def test_notify_racing_the_reconciliation_is_applied_once(odoo_server, sim):
    auth, partner_id = login(odoo_server, sim, "racer-%d" % time.time())
    orders = make_orders(partner_id, 6, "5.0")
    txs = []
    for order_id in orders:
        response = requests.post(odoo_server + "/mp/v1/payments",
                                 headers=auth, json={"order_id": order_id},
                                 timeout=30)
        assert response.status_code == 200, response.text
        txs.append(response.json())
        # Paid, but WeChat's notify is late: the order expires first.
        sim("POST", "pay", out_trade_no=txs[-1]["out_trade_no"],
            notify=False)
    run_in_odoo(EXPIRE % [tx["transaction_id"] for tx in txs])
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        crons = [pool.submit(run_in_odoo, RECONCILE) for _i in range(2)]
        for tx in txs:  # three copies of each notify at once
            for _i in range(3):
                pool.submit(sim, "POST", "notify-again",
                            out_trade_no=tx["out_trade_no"])
        for cron in crons:
            cron.result()
    # Every delivery was eventually acknowledged...
    for tx in txs:
        deadline = 0
        while deadline < 200:
            notifies = sim("GET", "notifies?kind=pay&key=" +
                           tx["out_trade_no"])["notifies"]
            if sum(n["ok"] for n in notifies) >= 3:
                break
            deadline += 1
            time.sleep(0.1)
        assert sum(n["ok"] for n in notifies) >= 3, notifies
    # ...and each payment was applied once.
    for facts in order_facts(orders, invoiced=len(orders)):
        assert facts == {"state": "sale", "invoices": 1, "paid": True,
                         "payments": 1, "tx": ["done"]}, facts
    assert_books_match(sim)


def test_fifty_parallel_wallet_payments_spend_ten(odoo_server, sim):
    auth, partner_id = login(odoo_server, sim, "spender-%d" % time.time())
    run_in_odoo("""
partner = env['res.partner'].browse(%d)
company = env.ref('base.main_company')
income = env['account.account'].search([('user_type_id', '=', env.ref(
    'account.data_account_type_revenue').id)], limit=1)
acquirer = env.ref('payment_wechatpay.payment_acquirer_wechatpay')
acquirer.wechatpay_payout_enabled = False
env['wechatpay.payout']._request(partner, 1000, 'Prize', company, income)
acquirer.wechatpay_payout_enabled = True
env.cr.commit()
""" % partner_id)
    orders = make_orders(partner_id, 50, "1.0")

    def pay(order_id):
        # Odoo's prefork server listens with a backlog of 8 per worker:
        # beyond it, the kernel drops packets and a worker may give up on
        # a request that arrives late, closing the connection unanswered
        # (nginx absorbs this in production). Such a request was never
        # read, so the client sends it again, as wx.request callers do.
        for _attempt in range(5):
            try:
                response = requests.post(
                    odoo_server + "/mp/v1/payments", headers=auth,
                    json={"order_id": order_id, "method": "wallet"},
                    timeout=120)
                return response.status_code, response.json()
            except requests.ConnectionError:
                time.sleep(0.5)
        raise AssertionError("no answer for order %d" % order_id)

    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        results = list(pool.map(pay, orders))
    statuses = sorted(status for status, _body in results)
    assert statuses == [200] * 10 + [409] * 40, results
    assert all(body["error"]["code"] == "insufficient_balance"
               for status, body in results if status == 409)
    facts = order_facts(orders, invoiced=10)
    assert sum(f["state"] == "sale" and f["paid"] for f in facts) == 10
    assert sum(f["state"] == "draft" and not f["invoices"]
               for f in facts) == 40
    wallet = json.loads(requests.get(
        odoo_server + "/mp/v1/wallet?size=100", headers=auth,
        timeout=30).text)
    assert wallet["balance_fen"] == 0
    assert sum(item["amount_fen"] for item in wallet["items"]) == 0
    assert wallet["total"] == 11
    assert_books_match(sim)


REFUND_TO_WALLET = """
import psycopg2.extensions
from odoo.exceptions import UserError
tx = env['payment.transaction'].browse(%d)
try:
    refund = env['wechatpay.refund']._request(
        tx, tx.wechatpay_total_fee, 'parallel refund', 'wallet')
    env.cr.commit()
    print('refunded')
except (UserError, psycopg2.extensions.TransactionRollbackError):
    print('refused')
"""


def test_parallel_refunds_never_exceed_the_payment(odoo_server, sim):
    auth, partner_id = login(odoo_server, sim, "refunded-%d" % time.time())
    [order_id] = make_orders(partner_id, 1, "8.0")
    tx = requests.post(odoo_server + "/mp/v1/payments", headers=auth,
                       json={"order_id": order_id}, timeout=30).json()
    sim("POST", "pay", out_trade_no=tx["out_trade_no"])
    order_facts([order_id], invoiced=1)
    # Four accountants refund the whole payment to the wallet at once.
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(
            lambda _i: run_in_odoo(REFUND_TO_WALLET % tx["transaction_id"])
            .strip(), range(4)))
    assert sorted(answers) == ["refunded"] + ["refused"] * 3, answers
    wallet = requests.get(odoo_server + "/mp/v1/wallet", headers=auth,
                          timeout=30).json()
    assert wallet["balance_fen"] == 800
    assert_books_match(sim)
