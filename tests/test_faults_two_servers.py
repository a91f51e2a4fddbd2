# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Two Odoo servers on one database at once, each in workers mode with a
cron worker, both serving the API (the clients
alternate between them) while due work waits for their crons: expired
payments to reconcile (unpaid, paid, paid for an order cancelled
meanwhile), auction lots ending, a clock-in round to settle, a lottery to
draw. Each thing must be done once: one order per lot, one settlement,
one draw, one refund per payment that must go back; and the money audit
of the scenario must be clean.

Odoo's cron workers sleep a minute between polls; the test wakes them
(SIGQUIT, whose handler only logs the threads' stacks at INFO level)
instead of waiting.
"""
import concurrent.futures
import json
import os
import signal
import subprocess
import time

import psutil
import pytest
import requests

from conftest import DB, _start_odoo_server

from money_tools import (
    assert_audit_clean, db_now, login, make_orders, odoo, pay, settle_money,
    sql)

pytestmark = pytest.mark.slow

ORDERS = 9  # a third unpaid, a third paid, a third paid then cancelled
LOTS = 40
ENTRANTS = 2000
JOINERS = 60
PRIZES = 5

NOTIFY_TO = """
env.ref('payment_wechatpay.payment_acquirer_wechatpay')\
    .wechatpay_notify_base_url = %r
env.cr.commit()
"""

#: The crons of the scenario, due now (the others keep their schedule).
CRONS = """
UPDATE ir_cron SET nextcall = now() at time zone 'UTC' - interval '1 minute'
WHERE active AND ir_actions_server_id IN (
    SELECT id FROM ir_act_server WHERE model_name || '.' || code IN %s)
"""
DUE = (
    "payment.transaction.model._cron_wechatpay_reconcile()",
    "auction.lot.model._cron_end_lots()",
    "clockin.round.model._cron_settle()",
    "gift.lottery.model._cron_close_due()",
    "wechatpay.refund.model._cron_settle()",
    "wechatpay.payout.model._cron_send()",
)

MAKE_WORK = """
import datetime, json, secrets
from odoo import fields
cr = env.cr
company = env.ref('base.main_company')
tag = '[fault] two servers'
now = datetime.datetime.utcnow()


def utc_in(**delta):
    return fields.Datetime.to_string(now + datetime.timedelta(**delta))


cr.execute("SELECT count(*) FROM res_partner WHERE name LIKE %%s",
           [tag + ' %%'])
have = cr.fetchone()[0]
if have < %(entrants)d:
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
        [tag, tag, company.id, have + 1, %(entrants)d])
cr.execute("SELECT id FROM res_partner WHERE name LIKE %%s ORDER BY id"
           " LIMIT %%s", [tag + ' %%', %(entrants)d])
partners = [row[0] for row in cr.fetchall()]

# Lots ended a minute ago, three bids each: the last bidder wins.
session = env['auction.session'].create({
    'name': tag, 'published': True,
    'preview_start': utc_in(days=-2), 'preview_end': utc_in(days=-1),
    'bidding_start': utc_in(days=-1), 'bidding_end': utc_in(minutes=-1),
    'deposit_fen': 10000, 'premium_percent': 5.0})
for partner_id in partners[:20]:
    env['auction.deposit'].create({
        'partner_id': partner_id, 'session_id': session.id,
        'amount_fen': 10000})._mark_paid()
cr.execute('''
    INSERT INTO auction_lot (session_id, company_id, sequence, catalogue_no,
        name, start_fen, reserve_fen, deposit_fen, end_at, extended_minutes,
        create_uid, write_uid, create_date, write_date)
    SELECT %%s, %%s, g, lpad(g::text, 4, '0'), 'Two servers lot ' || g,
        10000, 0, 0, now() at time zone 'UTC' - interval '1 minute', 0,
        1, 1, now() at time zone 'UTC', now() at time zone 'UTC'
    FROM generate_series(1, %(lots)d) g''', [session.id, company.id])
cr.execute('''
    INSERT INTO auction_bid (lot_id, session_id, partner_id, amount_fen,
        client_key, proxy, create_uid, write_uid, create_date, write_date)
    SELECT l.id, l.session_id,
        (%%s::int[])[1 + (l.sequence + k) %%%% 20], 10000 + 1000 * k,
        'two-' || l.id || '-' || k, false, 1, 1,
        now() at time zone 'UTC', now() at time zone 'UTC'
    FROM auction_lot l CROSS JOIN generate_series(0, 2) k
    WHERE l.session_id = %%s ORDER BY l.id, k''', [partners[:20], session.id])
cr.execute('''
    UPDATE auction_lot l SET top_bid_id = b.id, current_fen = b.amount_fen,
        bid_count = 3
    FROM auction_bid b
    WHERE b.lot_id = l.id AND l.session_id = %%s AND b.amount_fen = 12000''',
    [session.id])

# A clock-in round past its settlement time, 70 %% clocked in.
cr.execute("SELECT max(day) FROM clockin_round WHERE company_id = %%s"
           " AND day >= '1980-01-01' AND day < '1990-01-01'", [company.id])
last = cr.fetchone()[0]
day = fields.Date.from_string(last) + datetime.timedelta(days=1) \
    if last else datetime.date(1980, 1, 1)
rnd = env['clockin.round']._ensure(company, day)
rnd.write({'settle_at': '2000-01-01 00:00:00', 'state': 'open',
           'stake_fen': 100, 'split_mode': 'random', 'cap_fen': 1000,
           'fee_percent': 5.0})
cr.execute('''
    INSERT INTO clockin_entry (round_id, day, company_id, partner_id,
        stake_fen, method, state, clocked_at, create_uid, write_uid,
        create_date, write_date)
    SELECT %%s, %%s, %%s, p.id, 100, 'wallet',
        CASE WHEN p.n %%%% 10 < 7 THEN 'clocked' ELSE 'paid' END,
        CASE WHEN p.n %%%% 10 < 7 THEN timestamp '2000-01-01'
            + p.n * interval '1 millisecond' END,
        1, 1, now() at time zone 'UTC', now() at time zone 'UTC'
    FROM unnest(%%s::int[]) WITH ORDINALITY AS p (id, n)''',
    [rnd.id, str(day), company.id, partners])

# A timed lottery due, with its joiners.
gift = env['product.product'].search([('name', '=', tag + ' gift')],
                                     limit=1) or \\
    env['product.product'].create({
        'name': tag + ' gift', 'type': 'consu', 'list_price': 19.9,
        'gift_ok': True, 'invoice_policy': 'order',
        'taxes_id': [(6, 0, [])]})
lottery = env['gift.lottery'].sudo().create({
    'partner_id': partners[0], 'product_id': gift.id,
    'quantity': %(prizes)d, 'item_fen': 1990, 'method': 'timed',
    'wish': tag, 'state': 'open', 'claim_days': 7,
    'draw_at': utc_in(days=1)})
cr.execute('''
    INSERT INTO gift_lottery_entry (lottery_id, partner_id, sequence,
        ticket, state, notify, notified, create_uid, write_uid,
        create_date, write_date)
    SELECT %%s, p.id, p.n,
        lpad(to_hex(((p.n * 679891637119) & 1099511627775) # %%s), 10, '0'),
        'waiting', false, false, 1, 1, now() at time zone 'UTC',
        now() at time zone 'UTC'
    FROM unnest(%%s::int[]) WITH ORDINALITY AS p (id, n)''',
    [lottery.id, secrets.randbits(40), partners[:%(joiners)d]])
cr.execute("UPDATE gift_lottery SET join_count = %%s, draw_at ="
           " now() at time zone 'UTC' - interval '1 minute' WHERE id = %%s",
           [%(joiners)d, lottery.id])
env.cr.commit()
print(json.dumps({'session': session.id, 'round': rnd.id,
                  'lottery': lottery.id}))
"""

CANCEL_ORDERS = """
env['sale.order'].browse(%r).action_cancel()
env.cr.commit()
"""


@pytest.fixture(scope="module")
def servers(odoo_server, sim):
    """Two more servers, cron workers on; WeChat notifies the first.

    Their queue jobs are run by the job runner of the session's server
    (``odoo_server``): queue_job 11 supports one runner per database (a
    second one dispatches each job again; the loser of the race marks it
    failed, though its work is done once).
    """
    sim("POST", "settings", auto_refund=True, refund_notify_delay=0)
    os.environ["ODOO_QUEUE_JOB_CHANNELS"] = "root:0"  # no runner
    try:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            started = list(pool.map(lambda name: _start_odoo_server(
                workers=2, cron_threads=1, log_name="%s-%s" % (DB, name)),
                ["server-a", "server-b"]))
    finally:
        del os.environ["ODOO_QUEUE_JOB_CHANNELS"]
    odoo(NOTIFY_TO % started[0].url)
    try:
        yield started
    finally:
        for server in started:
            stop(server)
        odoo(NOTIFY_TO % odoo_server)


def stop(server):
    """Stop a server for sure: one left behind would go on running crons
    on the database (and a second job runner)."""
    try:
        server.stop()
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(30)
        server.log.close()


def wake_crons(servers):
    """Interrupt the cron workers' minute of sleep."""
    for server in servers:
        try:
            children = psutil.Process(server.process.pid).children()
        except psutil.NoSuchProcess:
            continue
        for child in children:
            try:
                if "gevent" not in " ".join(child.cmdline()):
                    child.send_signal(signal.SIGQUIT)
            except psutil.NoSuchProcess:
                pass


def test_two_servers_share_the_work_and_do_each_thing_once(servers, sim):
    since = db_now()
    urls = [server.url for server in servers]
    work = json.loads(odoo(MAKE_WORK % {
        "entrants": ENTRANTS, "lots": LOTS, "joiners": JOINERS,
        "prizes": PRIZES}, timeout=300))
    # Clients on both servers: log in, open payments, browse.
    clients = [login(urls[index % 2], sim, "two-%d-%s" % (
        index, since.strftime("%H%M%S%f"))) for index in range(3)]
    orders, txs, owners = [], [], []
    for auth, partner in clients:
        for order in make_orders(partner, ORDERS // 3, "3.30"):
            status, body = pay(urls[len(orders) % 2], auth, order)
            assert status == 200, body
            orders.append(order)
            txs.append(body)
            owners.append(auth)
    unpaid, paid, cancelled = (orders[0::3], orders[1::3], orders[2::3])
    for order, tx in zip(orders, txs):
        if order not in unpaid:
            sim("POST", "pay", out_trade_no=tx["out_trade_no"],
                notify=False)
    odoo(CANCEL_ORDERS % cancelled)
    sql("UPDATE payment_transaction SET wechatpay_expire_at ="
        " now() at time zone 'UTC' - interval '10 minutes' WHERE id IN %s",
        [tuple(tx["transaction_id"] for tx in txs)])
    sql(CRONS, [DUE])

    def browse(index):
        """A user follows their payment, on either server."""
        pick = index % len(txs)
        response = requests.get(urls[index % 2] + "/mp/v1/payments/%d" %
                                txs[pick]["transaction_id"],
                                headers=owners[pick], timeout=60)
        return response.status_code

    done = False
    deadline = time.time() + 150
    statuses = []
    while not done and time.time() < deadline:
        wake_crons(servers)
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            statuses += list(pool.map(browse, range(
                len(statuses), len(statuses) + 8)))
        done = sql(DONE, [tuple(t["transaction_id"] for t in txs),
                          work["session"], work["round"],
                          work["lottery"]])[0][0]
        time.sleep(1)
    assert done, sql(PROGRESS, [tuple(t["transaction_id"] for t in txs),
                                work["session"], work["round"],
                                work["lottery"]])
    assert set(statuses) == {200}
    assert settle_money(since) == (0, 0, 0, 0)

    # Payments: each settled once, the right way.
    tx_ids = tuple(tx["transaction_id"] for tx in txs)
    facts = {row[0]: row[1:] for row in sql("""
        SELECT t.sale_order_id, t.state, t.wechatpay_late, o.state,
               count(DISTINCT r.id), count(DISTINCT p.id)
        FROM payment_transaction t
        JOIN sale_order o ON o.id = t.sale_order_id
        LEFT JOIN wechatpay_refund r ON r.transaction_id = t.id
        LEFT JOIN account_payment p ON p.payment_transaction_id = t.id
        WHERE t.id IN %s GROUP BY t.id, o.state""", [tx_ids])}
    expected = {}
    expected.update((o, ("cancel", False, "cancel", 0, 0)) for o in unpaid)
    expected.update((o, ("done", False, "sale", 0, 1)) for o in paid)
    expected.update((o, ("done", True, "cancel", 1, 1)) for o in cancelled)
    assert facts == expected
    # Lots: one order and one message each.
    assert sql("""
        SELECT count(*) FILTER (WHERE l.result = 'sold'
                                AND l.hammer_fen = 12000),
               count(DISTINCT o.id), count(DISTINCT m.id)
        FROM auction_lot l
        LEFT JOIN sale_order o ON o.auction_lot_id = l.id
        LEFT JOIN mp_subscribe_message m
          ON m.page = 'pages/lot/detail?id=' || l.id
        WHERE l.session_id = %s""", [work["session"]]) == [
        (LOTS, LOTS, LOTS)]
    # The round: settled once.
    winners = sum(1 for n in range(1, ENTRANTS + 1) if n % 10 < 7)
    [(state, allocations, shared, pool, moves)] = sql("""
        SELECT r.state,
               (SELECT count(*) FROM clockin_allocation a
                WHERE a.round_id = r.id),
               (SELECT sum(share_fen) FROM clockin_allocation a
                WHERE a.round_id = r.id),
               r.pool_fen,
               (SELECT count(*) FROM account_move m
                WHERE m.ref = (SELECT ref FROM account_move
                               WHERE id = r.move_id))
        FROM clockin_round r WHERE r.id = %s""", [work["round"]])
    assert (state, allocations, shared, moves) == (
        "settled", winners, pool, 1)
    # The lottery: drawn once.
    assert sql("""
        SELECT g.state, g.given_count,
               (SELECT count(*) FROM gift_lottery_entry e
                WHERE e.lottery_id = g.id AND e.state = 'won'),
               (SELECT count(*) FROM gift_lottery_prize p
                WHERE p.lottery_id = g.id)
        FROM gift_lottery g WHERE g.id = %s""", [work["lottery"]]) == [
        ("drawn", PRIZES, PRIZES, PRIZES)]
    assert_audit_clean(since)


#: True once every piece of due work is done.
DONE = """
SELECT NOT EXISTS (SELECT 1 FROM payment_transaction
                   WHERE id IN %s AND state = 'pending')
   AND NOT EXISTS (SELECT 1 FROM auction_lot
                   WHERE session_id = %s AND result IS NULL)
   AND EXISTS (SELECT 1 FROM clockin_round WHERE id = %s
               AND state = 'settled')
   AND EXISTS (SELECT 1 FROM gift_lottery WHERE id = %s
               AND state <> 'open')
"""

PROGRESS = """
SELECT (SELECT count(*) FROM payment_transaction
        WHERE id IN %s AND state = 'pending'),
       (SELECT count(*) FROM auction_lot
        WHERE session_id = %s AND result IS NULL),
       (SELECT state FROM clockin_round WHERE id = %s),
       (SELECT state FROM gift_lottery WHERE id = %s)
"""
