# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""An Odoo process killed (SIGKILL) in the middle of a batch, then the
cron run again to completion: the settlement of a big clock-in round,
the ending of a few hundred auction lots, the reconciliation of a few
hundred expired payments (a tenth of them paid at WeChat, notify lost,
with no order to take them: refunded).
Nothing may be lost, done twice or left stuck, and the money audit of
the scenario must be clean.

The work is made in SQL (as scripts/bench does) so that there is enough
of it to be killed mid-way; each batch runs in its own Odoo process
(``tests/odoo_env.py``), as a cron worker would, and is killed once the
database shows it half done. A batch that finished before it could be
killed fails the test: the volumes are too small for this machine.
"""
import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from conftest import DB, ODOO_SHELL_PRELUDE, ROOT, SIM_URL
from money_tools import assert_audit_clean, db_now, odoo, settle_money, sql

ENTRANTS = 20000
LOTS = 100
PAYMENTS = 100

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def refunds_succeed(sim):
    """WeChat refunds at once (the simulator's default, which an earlier
    module may have changed)."""
    sim("POST", "settings", auto_refund=True, refund_notify_delay=0)


def run_killed(code, half_done, timeout=120):
    """Run ``code`` in its own Odoo process and SIGKILL it as soon as
    ``half_done()`` (a database check) is true."""
    process = subprocess.Popen(
        [sys.executable, ODOO_SHELL_PRELUDE, DB, code], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        universal_newlines=True)
    deadline = time.time() + timeout
    try:
        while not half_done():
            if process.poll() is not None:
                out, err = process.communicate()
                pytest.fail("the batch ended (%s) before it could be "
                            "killed: %s" % (process.returncode, err[-2000:]))
            assert time.time() < deadline, "the batch never got half way"
            time.sleep(0.05)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.communicate()
    assert process.returncode == -signal.SIGKILL


# -- a clock-in settlement ---------------------------------------------------

MAKE_ROUND = """
import datetime, json
from odoo import fields
company = env.ref('base.main_company')
cr = env.cr
tag, count = '[fault] clockin', %(count)d
cr.execute("SELECT count(*) FROM res_partner WHERE name LIKE %%s",
           [tag + ' %%'])
have = cr.fetchone()[0]
if have < count:
    cr.execute('''
        INSERT INTO res_partner (name, display_name, active, type,
            is_company, customer, supplier, employee, company_id,
            invoice_warn, sale_warn, picking_warn, create_date, write_date,
            create_uid, write_uid)
        SELECT %%s || ' ' || g, %%s || ' ' || g, true, 'contact', false,
            true, false, false, %%s, 'no-message', 'no-message',
            'no-message', now() at time zone 'UTC',
            now() at time zone 'UTC', 1, 1
        FROM generate_series(%%s, %%s) g''',
        [tag, tag, company.id, have + 1, count])
cr.execute("SELECT id FROM res_partner WHERE name LIKE %%s ORDER BY id"
           " LIMIT %%s", [tag + ' %%', count])
partners = [row[0] for row in cr.fetchall()]
cr.execute("SELECT max(day) FROM clockin_round WHERE company_id = %%s"
           " AND day >= '1991-01-01' AND day < '1999-01-01'", [company.id])
last = cr.fetchone()[0]
day = fields.Date.from_string(last) + datetime.timedelta(days=1) \
    if last else datetime.date(1991, 1, 1)
rnd = env['clockin.round']._ensure(company, day)
rnd.write({'settle_at': '2000-01-01 00:00:00', 'state': 'open',
           'stake_fen': 100, 'split_mode': 'random', 'cap_fen': 1000,
           'fee_percent': 5.0})
cr.execute('''
    INSERT INTO clockin_entry (round_id, day, company_id, partner_id,
        stake_fen, method, state, clocked_at, create_uid, write_uid,
        create_date, write_date)
    SELECT %%s, %%s, %%s, p.id, 100, 'wallet',
        CASE WHEN p.n <= %%s THEN 'clocked' ELSE 'paid' END,
        CASE WHEN p.n <= %%s THEN timestamp '2000-01-01'
            + p.n * interval '1 millisecond' END,
        1, 1, now() at time zone 'UTC', now() at time zone 'UTC'
    FROM unnest(%%s::int[]) WITH ORDINALITY AS p (id, n)''',
    [rnd.id, str(day), company.id, int(count * 0.7), int(count * 0.7),
     partners])
env.cr.commit()
print(json.dumps({'round': rnd.id, 'day': str(day)}))
"""

#: The settlement as the cron runs it, in small steps (one commit each).
SETTLE_IN_STEPS = """
env['clockin.round'].browse(%d)._settle(batch=1000)
"""

SETTLE_CRON = """
while env['clockin.round']._cron_settle():
    env.cr.commit()
    if not env['clockin.round'].search_count([
            ('id', '=', %d), ('state', '!=', 'settled')]):
        break
env.cr.commit()
print(env['clockin.round'].browse(%d)._audit())
"""


def test_settlement_killed_midway_resumes_once():
    since = db_now()
    made = json.loads(odoo(MAKE_ROUND % {"count": ENTRANTS}))
    round_id, winners = made["round"], int(ENTRANTS * 0.7)

    def allocated():
        return sql("SELECT count(*) FROM clockin_allocation WHERE round_id ="
                   " %s", [round_id])[0][0]
    run_killed(SETTLE_IN_STEPS % round_id, lambda: allocated() >= 2000)
    assert sql("SELECT state FROM clockin_round WHERE id = %s",
               [round_id]) == [("settling",)]
    assert 2000 <= allocated() < winners
    assert odoo(SETTLE_CRON % (round_id, round_id),
                timeout=300).strip() == "[]"
    [(state, count, pool, shared, move, ref)] = sql("""
        SELECT r.state, r.winner_count, r.pool_fen,
               (SELECT sum(share_fen) FROM clockin_allocation a
                WHERE a.round_id = r.id),
               r.move_id, m.ref
        FROM clockin_round r JOIN account_move m ON m.id = r.move_id
        WHERE r.id = %s""", [round_id])
    assert (state, count) == ("settled", winners)
    assert allocated() == winners and shared == pool > 0
    # One journal entry for the round, and each entry settled once.
    assert sql("SELECT count(*) FROM account_move WHERE ref = %s",
               [ref]) == [(1,)]
    assert sql("""
        SELECT state, count(*) FROM clockin_entry WHERE round_id = %s
        GROUP BY state ORDER BY state""", [round_id]) == [
        ("clocked", winners), ("missed", ENTRANTS - winners)]
    assert_audit_clean(since)


# -- an auction ending -------------------------------------------------------

MAKE_ENDED_SESSION = """
import datetime, json
from odoo import fields


def utc_in(**delta):
    return fields.Datetime.to_string(
        datetime.datetime.utcnow() + datetime.timedelta(**delta))


tag = '[fault] auction'
Partner = env['res.partner']
pool = Partner.search([('name', '=like', tag + ' bidder %%')], order='id')
for index in range(len(pool), 20):
    pool |= Partner.create({'name': '%%s bidder %%d' %% (tag, index)})
pool = pool.ids[:20]
session = env['auction.session'].create({
    'name': tag + ' ending', 'published': True,
    'preview_start': utc_in(days=-2), 'preview_end': utc_in(days=-1),
    'bidding_start': utc_in(days=-1), 'bidding_end': utc_in(minutes=-1),
    'deposit_fen': 10000, 'premium_percent': 5.0,
})
for partner_id in pool:
    env['auction.deposit'].create({
        'partner_id': partner_id, 'session_id': session.id,
        'amount_fen': 10000})._mark_paid()
cr = env.cr
cr.execute('''
    INSERT INTO auction_lot (session_id, company_id, sequence, catalogue_no,
        name, start_fen, reserve_fen, deposit_fen, end_at, extended_minutes,
        create_uid, write_uid, create_date, write_date)
    SELECT %%s, %%s, g, lpad(g::text, 4, '0'), 'Fault lot ' || g, 10000, 0,
        0, now() at time zone 'UTC' - interval '1 minute', 0,
        1, 1, now() at time zone 'UTC', now() at time zone 'UTC'
    FROM generate_series(1, %(lots)d) g''',
    [session.id, session.company_id.id])
cr.execute('''
    INSERT INTO auction_bid (lot_id, session_id, partner_id, amount_fen,
        client_key, proxy, create_uid, write_uid, create_date, write_date)
    SELECT l.id, l.session_id,
        (%%s::int[])[1 + (l.sequence + k) %%%% 20], 10000 + 1000 * k,
        'fault-' || l.id || '-' || k, false, 1, 1,
        now() at time zone 'UTC', now() at time zone 'UTC'
    FROM auction_lot l CROSS JOIN generate_series(0, 2) k
    WHERE l.session_id = %%s ORDER BY l.id, k''', [pool, session.id])
cr.execute('''
    UPDATE auction_lot l SET top_bid_id = b.id, current_fen = b.amount_fen,
        bid_count = 3
    FROM auction_bid b
    WHERE b.lot_id = l.id AND l.session_id = %%s AND b.amount_fen = 12000''',
    [session.id])
env.cr.commit()
print(json.dumps({'session': session.id}))
"""

#: The lot-ending cron, run after run as ir.cron would, until none is due.
END_LOTS = """
while env['auction.lot']._cron_end_lots():
    env.cr.commit()
env.cr.commit()
"""

LOT_FACTS = """
SELECT count(*),
       count(*) FILTER (WHERE l.result = 'sold'
                        AND l.winner_id = b.partner_id
                        AND l.hammer_fen = 12000 AND o.id IS NOT NULL),
       count(*) FILTER (WHERE l.result IS NULL),
       (SELECT count(*) FROM sale_order s
        JOIN auction_lot x ON x.id = s.auction_lot_id
        WHERE x.session_id = %s),
       (SELECT count(*) FROM mp_subscribe_message m
        WHERE m.page IN (SELECT 'pages/lot/detail?id=' || x.id
                         FROM auction_lot x WHERE x.session_id = %s))
FROM auction_lot l
JOIN auction_bid b ON b.id = l.top_bid_id
LEFT JOIN sale_order o ON o.id = l.order_id AND o.auction_lot_id = l.id
WHERE l.session_id = %s
"""


def test_auction_ending_killed_midway_ends_each_lot_once():
    since = db_now()
    session = json.loads(odoo(MAKE_ENDED_SESSION % {
        "lots": LOTS}))["session"]

    def ended():
        return sql("SELECT count(*) FROM auction_lot WHERE session_id = %s"
                   " AND result IS NOT NULL", [session])[0][0]
    run_killed(END_LOTS, lambda: ended() >= LOTS // 4)
    assert LOTS // 4 <= ended() < LOTS
    odoo(END_LOTS, timeout=300)
    # Every lot sold to its last bidder with one order, one message.
    assert sql(LOT_FACTS, [session] * 3) == [(LOTS, LOTS, 0, LOTS, LOTS)]
    assert_audit_clean(since)


# -- a reconciliation of expired payments ------------------------------------

EXPIRED = """
import json
acquirer = env.ref('payment_wechatpay.payment_acquirer_wechatpay')
partner = env['res.partner'].search([('mp_openid', '=', 'o_fault_payer')],
                                    limit=1) or env['res.partner'].create({
    'name': '[fault] payer', 'mp_openid': 'o_fault_payer'})
env.cr.execute("SELECT nextval('payment_transaction_id_seq')")
batch = env.cr.fetchone()[0]
prefix = '%%sE%%d' %% (acquirer.wechatpay_number_prefix, batch)
env.cr.execute('''
    INSERT INTO payment_transaction (acquirer_id, type, state, amount,
        currency_id, reference, partner_id, partner_country_id,
        wechatpay_out_trade_no, wechatpay_total_fee, wechatpay_expire_at,
        create_uid, write_uid, create_date, write_date)
    SELECT %%s, 'server2server', 'pending', 1.0, %%s, %%s || g, %%s, %%s,
        %%s || lpad(g::text, 6, '0'), 100,
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
while env['payment.transaction']._cron_wechatpay_reconcile(batch=40):
    env.cr.commit()
"""


def place_at_wechat(numbers, paid):
    """The orders at WeChat (the simulator), ``paid`` of them paid with
    their notify lost."""
    from wechatpy.pay import WeChatPay
    client = WeChatPay("wxd0000000000demo", "demo-mch-api-key-"
                       "000000000000000", "1900000109", timeout=30)
    client.API_BASE_URL = SIM_URL

    def place(number):
        client.order.create(
            trade_type="JSAPI", body="fault", total_fee=100,
            notify_url="http://127.0.0.1:9/", client_ip="127.0.0.1",
            user_id="o_fault_payer", out_trade_no=number)
        if number in paid:
            requests.post(SIM_URL + "sim/pay", json={
                "out_trade_no": number, "notify": False},
                timeout=30).raise_for_status()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(place, numbers))


def test_reconciliation_killed_midway_settles_each_payment_once(
        odoo_server, sim):
    since = db_now()
    numbers = json.loads(odoo(EXPIRED % {"count": PAYMENTS}))
    paid = set(numbers[::10])
    place_at_wechat(numbers, paid)

    def handled():
        return sql("SELECT count(*) FROM payment_transaction WHERE"
                   " wechatpay_out_trade_no = ANY(%s) AND state <> 'pending'",
                   [numbers])[0][0]
    run_killed(RECONCILE, lambda: handled() >= PAYMENTS // 4)
    assert PAYMENTS // 4 <= handled() < PAYMENTS
    odoo(RECONCILE, timeout=300)
    assert settle_money(since) == (0, 0, 0, 0)
    facts = sql("""
        SELECT t.wechatpay_out_trade_no, t.state,
               COALESCE(t.wechatpay_late, false),
               count(r.id), count(r.id) FILTER (WHERE r.state = 'succeeded'
                                                AND r.amount_fen = 100)
        FROM payment_transaction t
        LEFT JOIN wechatpay_refund r ON r.transaction_id = t.id
        WHERE t.wechatpay_out_trade_no = ANY(%s)
        GROUP BY t.id""", [numbers])
    expected = {number: ("done", True, 1, 1) if number in paid
                else ("cancel", False, 0, 0) for number in numbers}
    assert {row[0]: row[1:] for row in facts} == expected
    theirs = {order["out_trade_no"]: order for order in sim(
        "GET", "orders")["orders"] if order["out_trade_no"] in expected}
    assert {number: (order["state"], [
        (r["refund_fee"], r["refund_status"]) for r in order["refunds"]])
        for number, order in theirs.items()} == {
        number: ("SUCCESS", [(100, "SUCCESS")]) if number in paid
        else ("CLOSED", []) for number in numbers}
    assert_audit_clean(since)
