# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""200 mini-program users join one gift lottery at once, on a real server
in workers mode: a direct gift of 5 items hands out exactly 5, and a
full-50 lottery takes exactly 50 joiners and is drawn once.
"""
import concurrent.futures
import json
import threading
import time

import pytest

from conftest import run_in_odoo
from test_event_concurrency import login_all, post
from test_event_flow import sql

USERS = 200

MAKE_LOTTERY = """
import datetime, json
from odoo import fields
deadline = fields.Datetime.to_string(
    datetime.datetime.utcnow() + datetime.timedelta(hours=1))
product = env['product.product'].create({
    'name': %(tag)r, 'type': 'consu', 'list_price': 9.9, 'gift_ok': True})
buyer = env['res.partner'].create({'name': %(tag)r + ' buyer'})
lottery = env['gift.lottery'].create(dict(%(values)s,
    partner_id=buyer.id, product_id=product.id, item_fen=990,
    deadline=deadline, state='open', claim_days=7))
env.cr.commit()
print(json.dumps([lottery.id, lottery.share_token]))
"""

COUNTS = """
SELECT (SELECT count(*) FROM gift_lottery_entry WHERE lottery_id = l.id),
       (SELECT count(DISTINCT rank) FROM gift_lottery_entry
        WHERE lottery_id = l.id AND rank > 0),
       (SELECT count(*) FROM gift_lottery_entry
        WHERE lottery_id = l.id AND state = 'won'),
       (SELECT count(*) FROM gift_lottery_prize WHERE lottery_id = l.id),
       (SELECT count(DISTINCT partner_id) FROM gift_lottery_prize
        WHERE lottery_id = l.id),
       l.join_count, l.given_count, l.state, l.joiners_hash IS NOT NULL
FROM gift_lottery l WHERE l.id = %s
"""


def burst(server, token, headers):
    """Every user joins at once; per user: (status, body, attempts)."""
    gate = threading.Barrier(len(headers))

    def join(auth):
        gate.wait()
        response = post(server + "/mp/v1/gift_shares/join",
                        {"token": token}, auth)
        return response.status_code, response.json(), response.attempts

    with concurrent.futures.ThreadPoolExecutor(len(headers)) as pool:
        return list(pool.map(join, headers))


@pytest.fixture(scope="module")
def crowd(odoo_server, sim):
    """200 logged-in users (bearer headers), for every burst."""
    tag = "GiftCrowd%d" % (time.time() * 1000)
    return login_all(odoo_server, sim, ["%s-%d" % (tag, index)
                                        for index in range(USERS)])[0]


def run_burst(odoo_server, headers, values):
    """A lottery of ``values``, 200 users joining it at once; its id, the
    answers, and how many answers were lost and sent again."""
    tag = "GiftBurst%d" % (time.time() * 1000)
    lottery_id, token = json.loads(run_in_odoo(MAKE_LOTTERY % {
        "tag": tag, "values": repr(values)}))
    start = time.time()
    results = burst(odoo_server, token, headers)
    elapsed = time.time() - start
    errors = [(status, body) for status, body, _a in results
              if status >= 500]
    assert not errors, errors
    assert all(status in (200, 409) for status, _b, _a in results), results
    # A join whose answer was lost (connection dropped after the commit)
    # and was sent again is told it joined already.
    lost = [attempts for status, body, attempts in results
            if status == 409 and body["error"]["code"] == "joined"]
    assert all(attempts > 1 for attempts in lost), results
    refused = {body["error"]["code"] for status, body, _a in results
               if status == 409} - {"joined"}
    assert refused <= {"drawn", "full"}, refused
    print("%d joins of %r answered in %.1f s" % (USERS, values, elapsed))
    return lottery_id, results, len(lost)


def test_direct_gift_of_five_hands_out_exactly_five(odoo_server, crowd):
    lottery_id, results, lost = run_burst(
        odoo_server, crowd, {"method": "direct", "quantity": 5})
    won = [body for status, body, _a in results if status == 200]
    assert len(won) + lost == 5, (len(won), lost)
    assert all(body["entry"]["state"] == "won" and
               body["prize"]["state"] == "to_claim" for body in won), won
    [(entries, _ranks, winners, prizes, holders, joins, given, state,
      hashed)] = sql(COUNTS, [lottery_id])
    assert (entries, winners, prizes, holders, joins, given, state,
            hashed) == (5, 5, 5, 5, 5, 5, "drawn", True)


def test_full_fifty_takes_fifty_and_draws_once(odoo_server, crowd):
    lottery_id, results, lost = run_burst(
        odoo_server, crowd, {"method": "full", "quantity": 3,
                             "full_count": 50})
    joined = [body for status, body, _a in results if status == 200]
    assert len(joined) + lost == 50, (len(joined), lost)
    [(entries, ranks, winners, prizes, holders, joins, given, state,
      hashed)] = sql(COUNTS, [lottery_id])
    # One draw: 50 distinct ranks, three winners, three prizes.
    assert (entries, ranks, winners, prizes, holders, joins, given, state,
            hashed) == (50, 50, 3, 3, 3, 50, 3, "drawn", True)
    verified = json.loads(run_in_odoo(
        "import json; print(json.dumps(env['gift.lottery'].browse(%d)"
        "._verify()['verified']))" % lottery_id))
    assert verified is True
