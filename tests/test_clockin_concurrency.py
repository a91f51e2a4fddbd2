# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Clock-in pools under parallel calls, on a real server in workers mode.

* 20 users each send 4 joins at once (paid from the wallet, which holds
  one stake): every user has exactly one entry, paid once, and the
  others are told 409 ``already_joined``, never a server error.
* 10 winners each open their envelope 4 times at once: one payout per
  envelope, and every answer names the same amount.
"""
import collections
import concurrent.futures
import json
import threading
import time

from conftest import run_in_odoo
from test_clockin_flow import reset_today
from test_event_concurrency import login_all, post
from test_event_flow import sql, wait_for

USERS = 20
JOINS_EACH = 4
WINNERS = 10
OPENS_EACH = 4

#: A settled round on a day long past whose winners are ``partners``
#: (entries made paid and clocked in directly: the opens are the test).
SETTLED_ROUND = """
import datetime, json, random
from odoo import fields
company = env.ref('base.main_company')
Round = env['clockin.round']
day = datetime.date(1990, 1, 1) + datetime.timedelta(
    days=random.randint(0, 3000))
while Round.search([('company_id', '=', company.id),
                    ('day', '=', str(day))]):
    day += datetime.timedelta(days=1)
rnd = Round._ensure(company, day)
now = datetime.datetime.utcnow()
stamp = lambda m: fields.Datetime.to_string(now + datetime.timedelta(
    minutes=m))
rnd.write({'window_start': stamp(-60), 'window_end': stamp(-10),
           'settle_at': stamp(-1), 'state': 'open', 'stake_fen': 100})
for index, partner_id in enumerate(%(partners)r):
    env['clockin.entry'].create({
        'round_id': rnd.id, 'partner_id': partner_id, 'stake_fen': 100,
        'state': 'clocked', 'clocked_at': stamp(-50 + index)})
for index in range(%(losers)d):
    partner = env['res.partner'].create({'name': 'late riser %%d' %% index})
    env['clockin.entry'].create({
        'round_id': rnd.id, 'partner_id': partner.id, 'stake_fen': 100,
        'state': 'paid'})
env.cr.commit()
rnd._settle()
env.cr.commit()
print(json.dumps({a.partner_id.id: a.id for a in rnd.allocation_ids}))
"""


def burst(url, calls):
    """``calls``: (headers, payload) sent at once; (status, body)."""
    gate = threading.Barrier(len(calls))

    def send(call):
        gate.wait()
        response = post(url(call), call[1], call[0])
        return response.status_code, response.json()

    with concurrent.futures.ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(send, calls))


def test_parallel_joins_make_one_entry_per_user(odoo_server, sim):
    tag = "ClockJoin%d" % (time.time() * 1000)
    headers, partners = login_all(
        odoo_server, sim, ["%s-%d" % (tag, i) for i in range(USERS)])
    round_id = reset_today(fund=list(partners), fen=100)
    calls = [(auth, {"method": "wallet"}) for auth in headers
             for _i in range(JOINS_EACH)]
    answers = burst(lambda _c: odoo_server + "/mp/v1/clockin/join", calls)
    outcomes = collections.Counter(
        status if status == 200 else
        "%d %s" % (status, body["error"]["code"])
        for status, body in answers)
    assert outcomes[200] == USERS, outcomes
    assert outcomes["409 already_joined"] == USERS * (JOINS_EACH - 1), \
        outcomes
    rows = sql("""
        SELECT partner_id, count(*), min(state), max(state)
        FROM clockin_entry WHERE round_id = %s AND partner_id IN %s
        GROUP BY partner_id""", [round_id, tuple(partners)])
    assert len(rows) == USERS
    assert all(row[1:] == (1, "paid", "paid") for row in rows), rows
    balances = sql("""
        SELECT balance_fen FROM wechatpay_wallet WHERE partner_id IN %s""",
                   [tuple(partners)])
    assert sorted(b for (b,) in balances) == [0] * USERS


def test_parallel_opens_make_one_payout_per_envelope(odoo_server, sim):
    tag = "ClockOpen%d" % (time.time() * 1000)
    headers, partners = login_all(
        odoo_server, sim, ["%s-%d" % (tag, i) for i in range(WINNERS)])
    envelopes = json.loads(run_in_odoo(SETTLED_ROUND % {
        "partners": list(partners), "losers": 5}))
    calls = [(auth, {}, envelopes[str(partner)])
             for auth, partner in zip(headers, partners)
             for _i in range(OPENS_EACH)]
    answers = burst(lambda call: odoo_server +
                    "/mp/v1/clockin_envelopes/%d/open" % call[2], calls)
    assert all(status == 200 for status, _body in answers), answers
    amounts = collections.defaultdict(set)
    for call, (_status, body) in zip(calls, answers):
        amounts[call[2]].add(body["amount_fen"])
    assert all(len(values) == 1 for values in amounts.values()), amounts
    origins = tuple("clockin.allocation,%d" % envelope_id
                    for envelope_id in envelopes.values())
    rows = sql("""
        SELECT origin, count(*), sum(amount_fen) FROM wechatpay_payout
        WHERE origin IN %s GROUP BY origin""", [origins])
    assert len(rows) == WINNERS and all(row[1] == 1 for row in rows), rows
    assert sum(row[2] for row in rows) == WINNERS * 100 + 500
    assert wait_for(lambda: sql(
        "SELECT count(*) FROM wechatpay_payout WHERE origin IN %s"
        " AND state IN ('done', 'wallet')", [origins])[0][0] == WINNERS)
