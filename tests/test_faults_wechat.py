# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""WeChat misbehaving, through the simulator's fault injection, against a
real server in workers mode: timeouts (a slow answer that still took
effect at WeChat), SYSTEMERROR, duplicated, late and out-of-order
notifies, on payments, refunds and payouts. Every scenario ends with the
money audit of what it made: nothing lost, paid, refunded or transferred
twice, nothing left stuck.

WeChat Pay calls time out after 3 s here (the acquirer's setting); a
"timeout" is a fault delaying WeChat's answer by 5 s.
"""
import concurrent.futures
import json

import pytest
import requests

from money_tools import (
    assert_audit_clean, db_now, login, make_orders, odoo, pay, settle_money,
    sql, tx_state, wait_for)

TIMEOUT = 3
LATE = 5

SET_TIMEOUT = """
env.ref('payment_wechatpay.payment_acquirer_wechatpay').wechatpay_timeout = %d
env.cr.commit()
"""

EXPIRE = """
UPDATE payment_transaction SET wechatpay_expire_at =
    now() at time zone 'UTC' - interval '10 minutes'
WHERE id = %s
"""

RECONCILE_ONE = """
print(env['payment.transaction'].browse(%d)._wechatpay_reconcile_one())
env.cr.commit()
"""

RECONCILE = """
print(env['payment.transaction']._cron_wechatpay_reconcile())
"""

REFUND = """
import json
tx = env['payment.transaction'].browse(%d)
refund = env['wechatpay.refund']._request(tx, %d, 'fault suite')
env.cr.commit()
print(json.dumps({'id': refund.id, 'name': refund.name}))
"""

PAYOUT = """
import json
income = env['account.account'].search([('user_type_id', '=', env.ref(
    'account.data_account_type_revenue').id)], limit=1)
payout = env['wechatpay.payout']._request(
    env['res.partner'].browse(%d), %d, 'Fault prize',
    env.ref('base.main_company'), income)
env.cr.commit()
print(json.dumps({'id': payout.id, 'name': payout.name}))
"""

#: What the refund and payout crons do for one record.
SEND_REFUND = """
Refund = env['wechatpay.refund']
Refund._settle_one(Refund.browse(%d))
env.cr.commit()
"""
SEND_PAYOUT = """
Payout = env['wechatpay.payout']
Payout._send_queued(Payout.browse(%d))
env.cr.commit()
"""


@pytest.fixture(scope="module", autouse=True)
def short_timeout(odoo_server, sim):
    sim("POST", "settings", auto_refund=True, refund_notify_delay=0)
    odoo(SET_TIMEOUT % TIMEOUT)
    yield
    sim("POST", "settings", auto_refund=True, refund_notify_delay=0)
    odoo(SET_TIMEOUT % 10)


@pytest.fixture
def scenario(odoo_server, sim):
    """The start of the scenario (the audit checks what came after it),
    a logged-in user and their partner id; settles and audits at the
    end."""
    since = db_now()
    auth, partner = login(odoo_server, sim, "fault-%s" % since.strftime(
        "%H%M%S%f"))
    yield since, auth, partner
    assert settle_money(since) == (0, 0, 0, 0)
    assert_audit_clean(since)


def order_facts(order_id):
    return sql("""
        SELECT o.state,
               (SELECT array_agg(t.state ORDER BY t.id)
                FROM payment_transaction t WHERE t.sale_order_id = o.id),
               (SELECT count(*) FROM account_invoice i
                JOIN account_invoice_line l ON l.invoice_id = i.id
                JOIN sale_order_line_invoice_rel r
                  ON r.invoice_line_id = l.id
                JOIN sale_order_line s ON s.id = r.order_line_id
                WHERE s.order_id = o.id AND i.state = 'paid')
        FROM sale_order o WHERE o.id = %s""", [order_id])[0]


def paid_order(server, sim, auth, partner, price="9.90"):
    """A quotation paid by WeChat Pay and booked: (order, tx, number)."""
    [order] = make_orders(partner, 1, price)
    status, body = pay(server, auth, order)
    assert status == 200, body
    sim("POST", "pay", out_trade_no=body["out_trade_no"])
    assert wait_for(lambda: tx_state(body["transaction_id"]) ==
                    ("done", False, True))
    return order, body["transaction_id"], body["out_trade_no"]


def sim_order(sim, number):
    [order] = sim("GET", "orders?out_trade_no=" + number)["orders"]
    return order


def calls(sim, endpoint):
    return sim("GET", "stats")["calls"].get(endpoint, 0)


# -- payments ----------------------------------------------------------------

def test_unifiedorder_timeout_then_retry_pays_once(
        odoo_server, sim, scenario):
    _since, auth, partner = scenario
    [order] = make_orders(partner, 1, "19.90")
    [(name,)] = sql("SELECT name FROM sale_order WHERE id = %s", [order])
    sim("POST", "faults", endpoint="unifiedorder", delay=LATE)
    status, body = pay(odoo_server, auth, order)
    assert status == 503, body
    assert body["error"]["code"] == "wechat_unavailable"
    # WeChat placed the order it could not answer about; Odoo kept
    # nothing of it, and nobody got its prepay_id to pay it.
    orphans = [o for o in sim("GET", "orders")["orders"]
               if o.get("attach") == name]
    assert [o["state"] for o in orphans] == ["NOTPAY"]
    assert order_facts(order) == ("draft", None, 0)
    status, body = pay(odoo_server, auth, order)
    assert status == 200, body
    assert body["out_trade_no"] != orphans[0]["out_trade_no"]
    sim("POST", "pay", out_trade_no=body["out_trade_no"])
    assert wait_for(lambda: order_facts(order) == ("sale", ["done"], 1))


def test_duplicated_pay_notifies_are_applied_once(odoo_server, sim,
                                                  scenario):
    _since, auth, partner = scenario
    [order] = make_orders(partner, 1, "8.80")
    status, body = pay(odoo_server, auth, order)
    assert status == 200, body
    number = body["out_trade_no"]
    sim("POST", "pay", out_trade_no=number, notify_copies=5)
    assert wait_for(lambda: sum(n["ok"] for n in sim(
        "GET", "notifies?kind=pay&key=" + number)["notifies"]) == 5)
    sim("POST", "notify-again", out_trade_no=number)  # one more, later
    assert wait_for(lambda: sum(n["ok"] for n in sim(
        "GET", "notifies?kind=pay&key=" + number)["notifies"]) == 6)
    assert wait_for(lambda: order_facts(order) == ("sale", ["done"], 1))
    assert sql("SELECT count(*) FROM account_payment WHERE"
               " payment_transaction_id = %s",
               [body["transaction_id"]]) == [(1,)]


def test_notify_after_the_reconciliation_closed_the_order_is_refunded(
        odoo_server, sim, scenario):
    _since, auth, partner = scenario
    [order] = make_orders(partner, 1, "6.60")
    status, body = pay(odoo_server, auth, order)
    assert status == 200, body
    tx, number = body["transaction_id"], body["out_trade_no"]
    # The user pays; WeChat's notify is held back. The order expires in
    # Odoo and the reconciliation asks WeChat, which does not find it yet
    # (ORDERNOTEXIST, as a replica lagging behind answers): cancelled.
    sim("POST", "pay", out_trade_no=number, notify=False)
    sql(EXPIRE, [tx])
    sim("POST", "faults", endpoint="orderquery", err_code="ORDERNOTEXIST")
    assert odoo(RECONCILE_ONE % tx).strip() == "True"
    assert order_facts(order) == ("cancel", ["cancel"], 0)
    # The late notify: the money is taken, booked and refunded in full.
    sim("POST", "notify-again", out_trade_no=number)
    assert wait_for(lambda: tx_state(tx) == ("done", True, True))
    assert settle_money(_since) == (0, 0, 0, 0)
    assert sql("SELECT state, amount_fen FROM wechatpay_refund WHERE"
               " transaction_id = %s", [tx]) == [("succeeded", 660)]
    assert [(r["refund_fee"], r["refund_status"]) for r in sim_order(
        sim, number)["refunds"]] == [(660, "SUCCESS")]
    assert order_facts(order)[0] == "cancel"


def test_orderquery_systemerror_is_asked_again_later(odoo_server, sim,
                                                     scenario):
    _since, auth, partner = scenario
    [order] = make_orders(partner, 1, "5.50")
    status, body = pay(odoo_server, auth, order)
    assert status == 200, body
    tx, number = body["transaction_id"], body["out_trade_no"]
    sim("POST", "pay", out_trade_no=number, notify=False)  # lost notify
    # The user says they paid: WeChat cannot answer now.
    sim("POST", "faults", endpoint="orderquery", err_code="SYSTEMERROR")
    response = requests.post(
        odoo_server + "/mp/v1/payments/%d/refresh" % tx, headers=auth,
        timeout=60)
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "pending"
    # Expired: the reconciliation meets SYSTEMERROR and waits...
    sql(EXPIRE, [tx])
    sim("POST", "faults", endpoint="orderquery", err_code="SYSTEMERROR")
    assert odoo(RECONCILE_ONE % tx).strip() == "False"
    [(state, message, checked)] = sql(
        "SELECT state, state_message, wechatpay_checked_at IS NOT NULL"
        " FROM payment_transaction WHERE id = %s", [tx])
    assert (state, checked) == ("pending", True)
    assert "SYSTEMERROR" in message
    # ...is not asked again at once...
    odoo(RECONCILE)
    assert tx_state(tx)[0] == "pending"
    # ...and, its pause over, finds it paid.
    sql("UPDATE payment_transaction SET wechatpay_checked_at ="
        " wechatpay_checked_at - interval '5 minutes' WHERE id = %s", [tx])
    odoo(RECONCILE)
    assert wait_for(lambda: order_facts(order) == ("sale", ["done"], 1))


# -- refunds -----------------------------------------------------------------

def test_refund_timeout_then_retry_with_the_same_number(odoo_server, sim,
                                                        scenario):
    since, auth, partner = scenario
    _order, tx, number = paid_order(odoo_server, sim, auth, partner)
    assert settle_money(since) == (0, 0, 0, 0)
    sim("POST", "settings", refund_notify_delay=30)  # the query finds it
    sent = calls(sim, "refund")
    sim("POST", "faults", endpoint="refund", delay=LATE)
    refund = json.loads(odoo(REFUND % (tx, 300)))
    # WeChat took the refund; its answer came too late for Odoo.
    assert wait_for(lambda: sql(
        "SELECT error FROM wechatpay_refund WHERE id = %s",
        [refund["id"]])[0][0], timeout=120)
    assert sql("SELECT state, wechat_refund_id FROM wechatpay_refund"
               " WHERE id = %s", [refund["id"]]) == [("pending", None)]
    [theirs] = sim_order(sim, number)["refunds"]
    assert (theirs["out_refund_no"], theirs["refund_status"]) == (
        refund["name"], "SUCCESS")
    odoo(SEND_REFUND % refund["id"])  # again: same out_refund_no
    odoo(SEND_REFUND % refund["id"])  # queried: succeeded
    assert sql("SELECT state, wechat_refund_id = %s FROM wechatpay_refund"
               " WHERE id = %s", [theirs["refund_id"], refund["id"]]) == [
        ("succeeded", True)]
    assert calls(sim, "refund") == sent + 2
    assert len(sim_order(sim, number)["refunds"]) == 1
    sim("POST", "settings", refund_notify_delay=0)


def test_duplicated_refund_notifies_book_it_once(odoo_server, sim,
                                                 scenario):
    since, auth, partner = scenario
    _order, tx, number = paid_order(odoo_server, sim, auth, partner, "7.70")
    sim("POST", "settings", auto_refund=False)
    refund = json.loads(odoo(REFUND % (tx, 770)))
    assert wait_for(lambda: sql(
        "SELECT wechat_refund_id FROM wechatpay_refund WHERE id = %s",
        [refund["id"]])[0][0])
    sim("POST", "settings", auto_refund=True)
    sim("POST", "refund-result", out_refund_no=refund["name"],
        status="SUCCESS")
    path = "notifies?kind=refund&key=" + refund["name"]
    assert wait_for(lambda: any(n["ok"] for n in sim("GET", path)[
        "notifies"]))
    [notify] = sim("GET", path)["notifies"]
    with concurrent.futures.ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(lambda _i: requests.post(
            notify["url"], data=notify["body"].encode("utf-8"),
            timeout=60), range(5)))
    assert [a.status_code for a in answers] == [200] * 5
    assert all("SUCCESS" in a.text for a in answers)
    assert sql("""
        SELECT r.state, i.state, round(i.amount_total * 100)::int,
               p.state IN ('posted', 'reconciled'),
               (SELECT count(*) FROM account_invoice n
                WHERE n.refund_invoice_id = i.refund_invoice_id),
               (SELECT count(*) FROM account_payment x
                WHERE x.communication = p.communication)
        FROM wechatpay_refund r
        JOIN account_invoice i ON i.id = r.credit_note_id
        JOIN account_payment p ON p.id = r.payment_id
        WHERE r.id = %s""", [refund["id"]]) == [
        ("succeeded", "paid", 770, True, 1, 1)]


def test_refund_notify_before_the_refund_answer(odoo_server, sim, scenario):
    """WeChat refunds at once and notifies while its answer to the
    refund call is still on its way: the notify waits for the sender's
    lock, then is replayed on its result."""
    since, auth, partner = scenario
    _order, tx, number = paid_order(odoo_server, sim, auth, partner, "4.40")
    sim("POST", "faults", endpoint="refund", delay=1.5)  # slow, in time
    refund = json.loads(odoo(REFUND % (tx, 440)))
    path = "notifies?kind=refund&key=" + refund["name"]
    assert wait_for(lambda: any(n["ok"] for n in sim("GET", path)[
        "notifies"]), timeout=120)
    # Its first delivery was applied (after the answer), not refused.
    notifies = sim("GET", path)["notifies"]
    assert [(n["attempt"], n["ok"]) for n in notifies] == [(1, True)]
    [theirs] = sim_order(sim, number)["refunds"]
    [(state, refund_id)] = sql("SELECT state, wechat_refund_id FROM"
                               " wechatpay_refund WHERE id = %s",
                               [refund["id"]])
    assert state == "succeeded"
    # The answer's refund_id, unless the job runner dispatched the send
    # again after the notify had settled it (the notify does not store
    # the refund_id it carries).
    assert refund_id in (theirs["refund_id"], None)


# -- payouts -----------------------------------------------------------------

@pytest.mark.parametrize("fault", [
    {"err_code": "SYSTEMERROR"},  # refused for now: nothing paid
    {"delay": LATE},  # paid at WeChat, the answer lost on the way
], ids=["systemerror", "timeout"])
def test_transfer_fault_then_retry_pays_once(odoo_server, sim, scenario,
                                             fault):
    _since, _auth, partner = scenario
    sim("POST", "faults", endpoint="transfers", **fault)
    payout = json.loads(odoo(PAYOUT % (partner, 150)))
    assert wait_for(lambda: sql(
        "SELECT error FROM wechatpay_payout WHERE id = %s",
        [payout["id"]])[0][0], timeout=120)
    assert sql("SELECT state, attempts FROM wechatpay_payout WHERE id = %s",
               [payout["id"]]) == [("pending", 1)]
    made = sim("GET", "transfers?partner_trade_no=" + payout["name"])[
        "transfers"]
    assert len(made) == (0 if "err_code" in fault else 1)
    odoo(SEND_PAYOUT % payout["id"])
    [transfer] = sim("GET", "transfers?partner_trade_no=" + payout["name"])[
        "transfers"]
    assert sql("SELECT state, attempts, payment_no FROM wechatpay_payout"
               " WHERE id = %s", [payout["id"]]) == [
        ("done", 2, transfer["payment_no"])]
    assert transfer["amount"] == 150
