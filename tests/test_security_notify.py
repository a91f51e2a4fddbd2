# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Forged and replayed WeChat Pay notifies, over HTTP to a real server in
workers mode.

A pay notify with a wrong signature, or signed with the merchant's key
but for another amount, merchant or app, is refused and moves nothing,
even for an order WeChat really has paid; so are garbage, entity bombs and
oversized bodies. A refund notify encrypted with another key, or with the
right key for another amount, order or refund, is refused and refunds
nothing. The genuine notifies, replayed by anybody who saw them, are
acknowledged and change nothing more. (Duplicates sent by WeChat itself
are the fault suite's: tests/test_faults_wechat.py.)
"""
import concurrent.futures
import json
import time

import pytest
import requests

from conftest import run_in_odoo, wechat_simulator
from test_event_flow import login, sql, wait_for
from test_wechatpay_concurrency import make_orders

API_KEY = "demo-mch-api-key-000000000000000"
APP_ID = "wxd0000000000demo"
MCH_ID = "1900000109"

REFUND = """
import json
tx = env['payment.transaction'].browse(%d)
refund = env['wechatpay.refund']._request(tx, %d, 'security suite')
env['wechatpay.refund']._settle_one(refund)
env.cr.commit()
print(json.dumps({'id': refund.id, 'name': refund.name}))
"""

BOMB = ('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
        '<xml><out_trade_no>&d;</out_trade_no></xml>')


def facts(tx_id):
    """The transaction, its order and what was booked for it."""
    return sql("""
        SELECT t.state,
               (SELECT coalesce(sum(r.amount_fen), 0)::int
                FROM wechatpay_refund r
                WHERE r.transaction_id = t.id AND r.state = 'succeeded'),
               o.state,
               (SELECT count(*) FROM account_payment p
                WHERE p.payment_transaction_id = t.id),
               (SELECT count(*) FROM wechatpay_refund r
                WHERE r.transaction_id = t.id AND r.state = 'succeeded'),
               (SELECT count(*) FROM wechatpay_refund r
                JOIN account_invoice i ON i.id = r.credit_note_id
                WHERE r.transaction_id = t.id)
        FROM payment_transaction t
        JOIN sale_order o ON o.id = t.sale_order_id
        WHERE t.id = %s""", [tx_id])[0]


def post(server, kind, body):
    if isinstance(body, str):
        body = body.encode("utf-8")
    return requests.post(server + "/payment/wechatpay/notify/" + kind,
                         data=body, timeout=60,
                         headers={"Content-Type": "text/xml"})


def refused(response):
    return response.status_code == 400 and "FAIL" in response.text


def pay_notify(order, api_key=API_KEY, **changes):
    """A pay notify of the simulator's paid ``order``, signed with
    ``api_key`` after ``changes``."""
    values = {
        "return_code": "SUCCESS", "result_code": "SUCCESS",
        "appid": APP_ID, "mch_id": MCH_ID, "nonce_str": "n0nce",
        "openid": order["openid"], "out_trade_no": order["out_trade_no"],
        "transaction_id": order["transaction_id"],
        "total_fee": order["total_fee"], "cash_fee": order["total_fee"],
        "fee_type": "CNY", "time_end": "20261122101010",
        "trade_type": "JSAPI", "bank_type": "OTHERS",
    }
    values.update(changes)
    values["sign"] = wechatpay_sign(values, api_key)
    return wechat_simulator.xml_text(values)


def wechatpay_sign(values, api_key):
    return wechat_simulator.pay_sign(values, api_key)


def refund_notify(info, api_key=API_KEY, **outer):
    values = {"return_code": "SUCCESS", "appid": APP_ID, "mch_id": MCH_ID,
              "nonce_str": "n0nce",
              "req_info": wechat_simulator.encrypt_refund_info(
                  api_key, info)}
    values.update(outer)
    return wechat_simulator.xml_text(values)


@pytest.fixture
def manual_refunds(sim):
    """WeChat keeps refunds PROCESSING until the test settles them."""
    settings = sim("GET", "settings")
    sim("POST", "settings", auto_refund=False)
    yield
    sim("POST", "settings", auto_refund=settings["auto_refund"])


def test_forged_and_replayed_notifies_move_nothing(odoo_server, sim,
                                                   manual_refunds):
    auth, partner = login(odoo_server, sim, "notify-%d" % time.time())
    [order_id] = make_orders(partner, 1, "12.30")
    opened = requests.post(odoo_server + "/mp/v1/payments",
                           json={"order_id": order_id}, headers=auth,
                           timeout=60)
    assert opened.status_code == 200, opened.text
    tx, number = opened.json()["transaction_id"], \
        opened.json()["out_trade_no"]
    # The user paid: WeChat has the money, its notify is not sent yet.
    sim("POST", "pay", out_trade_no=number, notify=False)
    [paid] = sim("GET", "orders?out_trade_no=" + number)["orders"]
    assert paid["trade_state"] == "SUCCESS" and paid["total_fee"] == 1230
    pending = facts(tx)
    assert pending == ("pending", 0, "draft", 0, 0, 0), pending

    genuine = pay_notify(paid)
    for body in (
            pay_notify(paid, api_key="f" * 32),  # not the merchant's key
            pay_notify(paid, total_fee=1, cash_fee=1),  # another amount
            pay_notify(paid, mch_id="1900000999"),  # another merchant
            pay_notify(paid, appid="wx0000000000other"),  # another app
            pay_notify(paid, fee_type="USD"),
            genuine.replace("<total_fee>1230</total_fee>",
                            "<total_fee>1</total_fee>"),  # tampered
            genuine.split("<sign>")[0] + "</xml>",  # unsigned
            BOMB, "<xml><out_trade_no>%s</out_trade_no>" % number,
            "x" * (70 * 1024)):
        response = post(odoo_server, "pay", body)
        assert refused(response), (body[:120], response.status_code,
                                   response.text[:200])
    assert facts(tx) == pending

    # The genuine notify, sent six times at once by whoever saw it, is
    # applied once and acknowledged. (A copy that keeps losing the race
    # for the transaction's row is answered with an error, and WeChat
    # sends it again: so does this test.)
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _i: post(odoo_server, "pay",
                                                genuine), range(6)))
    acknowledged = [a.status_code == 200 and "SUCCESS" in a.text
                    for a in answers]
    assert sum(acknowledged) >= 3, [(a.status_code, a.text[:200])
                                    for a in answers]
    for answer in answers:
        if not (answer.status_code == 200 and "SUCCESS" in answer.text):
            print("notify answered %s: %s, sent again" % (
                answer.status_code, answer.text[:300]))
            again = post(odoo_server, "pay", genuine)
            assert again.status_code == 200 and "SUCCESS" in again.text
    paid_facts = wait_for(lambda: [f for f in [facts(tx)]
                                   if f[0] == "done" and f[3] == 1])
    assert paid_facts and paid_facts[0][:4] == ("done", 0, "sale", 1), \
        facts(tx)

    # A refund of 4.00 that WeChat holds as PROCESSING.
    refund = json.loads(run_in_odoo(REFUND % (tx, 400)))
    assert wait_for(lambda: sql(
        "SELECT wechat_refund_id FROM wechatpay_refund WHERE id = %s",
        [refund["id"]])[0][0])
    [theirs] = sim("GET", "orders?out_trade_no=" + number)[
        "orders"][0]["refunds"]
    info = {"out_trade_no": number, "transaction_id": paid["transaction_id"],
            "out_refund_no": refund["name"],
            "refund_id": theirs["refund_id"], "total_fee": 1230,
            "refund_fee": 400, "settlement_total_fee": 1230,
            "settlement_refund_fee": 400, "refund_status": "SUCCESS",
            "success_time": "2026-11-22 10:10:10",
            "refund_recv_accout": "支付用户零钱",
            "refund_account": "REFUND_SOURCE_UNSETTLED_FUNDS",
            "refund_request_source": "API"}
    before = facts(tx)
    for body in (
            refund_notify(info, api_key="f" * 32),  # not the merchant's key
            refund_notify(dict(info, refund_fee=1230,
                               settlement_refund_fee=1230)),
            refund_notify(dict(info, out_trade_no="OTHER%d" % tx)),
            refund_notify(dict(info, out_refund_no="R%d" % time.time())),
            refund_notify(info, mch_id="1900000999"),
            refund_notify(info, return_code="FAIL"),
            BOMB, "<xml><req_info>Zm9yZ2Vk</req_info></xml>"):
        response = post(odoo_server, "refund", body)
        assert refused(response), (body[:120], response.status_code,
                                   response.text[:200])
    assert facts(tx) == before
    assert sql("SELECT state FROM wechatpay_refund WHERE id = %s",
               [refund["id"]]) == [("pending",)]

    # WeChat refunds; its notify, replayed, refunds once. So does the old
    # pay notify, replayed after the refund.
    sim("POST", "refund-result", out_refund_no=refund["name"],
        status="SUCCESS")
    path = "notifies?kind=refund&key=" + refund["name"]
    assert wait_for(lambda: any(n["ok"] for n in sim("GET", path)[
        "notifies"]))
    [notify] = sim("GET", path)["notifies"]
    for body in (notify["body"], notify["body"], genuine):
        kind = "pay" if body is genuine else "refund"
        response = post(odoo_server, kind, body)
        assert response.status_code == 200 and "SUCCESS" in response.text
    assert wait_for(lambda: facts(tx)[5] == 1)
    assert facts(tx) == ("done", 400, "sale", 1, 1, 1)
