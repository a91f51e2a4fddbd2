# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""50 bidders bid on one lot at once, on a real server in workers mode.

Each bidder sends 20 bids, each at the lot's next minimum as the bidder
last saw it (a GET of the lot just before), so many collide. The lot
ends a few minutes ahead with soft close on: every accepted bid extends
it, up to the cap. From the database: the accepted bids rise by the
ladder, the highest is the lot's, the end moved as the rule says, and
every answer was a 200 or a JSON 409/403, never a server error.
"""
import collections
import concurrent.futures
import datetime
import json
import threading
import time
import uuid

import requests

from conftest import run_in_odoo
from test_auction_flow import LADDER, make_auction
from test_event_concurrency import login_all, post
from test_event_flow import sql

BIDDERS = 50
BIDS_EACH = 20
EXTEND_MINUTES = 2
EXTEND_CAP_MINUTES = 45
#: The lot ends this far ahead when the burst starts; the window is
#: larger, so every accepted bid is in it and extends the lot.
ENDS_IN_MINUTES = 3
SOFT_CLOSE_MINUTES = 120

DEPOSITS_AND_END = """
import datetime, json
from odoo import fields
lot = env['auction.lot'].browse(%(lot)d)
for partner_id in %(partners)r:
    env['auction.deposit'].create({
        'partner_id': partner_id, 'session_id': lot.session_id.id,
        'amount_fen': lot.session_id.deposit_fen})._mark_paid()
lot.end_at = fields.Datetime.to_string(
    datetime.datetime.utcnow() + datetime.timedelta(minutes=%(ends_in)d))
env.cr.commit()
print(json.dumps(lot.end_at))
"""

END_LOT = """
import datetime, json
from odoo import fields
lot = env['auction.lot'].browse(%d)
lot.end_at = fields.Datetime.to_string(
    datetime.datetime.utcnow() - datetime.timedelta(minutes=1))
env.cr.commit()
env['auction.lot']._cron_end_lots()
env.cr.commit()
print(json.dumps([lot.result, lot.winner_id.id, lot.hammer_fen,
                  lot.order_id.wechatpay_amount_fen]))
"""


def increment_at(price_fen, ladder=LADDER):
    """The increment above ``price_fen`` on ``ladder`` (ascending
    bands)."""
    step = 1
    for start, increment in ladder:
        if price_fen < start:
            break
        step = increment
    return step


def utc(iso):
    """A naive UTC datetime of the API's ISO 8601 time with offset."""
    value = datetime.datetime.fromisoformat(iso)
    return (value - value.utcoffset()).replace(tzinfo=None)


def get(url, headers, attempts=10):
    """GET, sent again when the server dropped the connection unread
    (see ``post``)."""
    for attempt in range(1, attempts + 1):
        try:
            return requests.get(url, headers=headers, timeout=120)
        except requests.ConnectionError:
            if attempt == attempts:
                raise
            time.sleep(min(0.5 * attempt, 2))
    raise AssertionError("unreachable")


def answer(response):
    """(status, body); the body is None when it is not JSON."""
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, None


def bidder(server, lot_id, auth, gate):
    """Look at the lot, bid its next minimum; BIDS_EACH times. Every
    answer: (kind, status, body, attempts)."""
    answers = []
    lot_url = server + "/mp/v1/auction_lots/%d" % lot_id
    gate.wait()
    for _index in range(BIDS_EACH):
        status, body = answer(get(lot_url, auth))
        answers.append(("get", status, body, 1))
        if status != 200:
            continue
        response = post(lot_url + "/bid", {
            "amount_fen": body["next_min_fen"],
            "key": uuid.uuid4().hex}, auth)
        status, body = answer(response)
        answers.append(("bid", status, body, response.attempts))
    return answers


def is_error_shape(body):
    return isinstance(body, dict) and set(body) == {"error"} and \
        isinstance(body["error"].get("code"), str) and \
        isinstance(body["error"].get("message"), str)


def test_fifty_bidders_on_one_lot(odoo_server, sim):
    tag = "Bids%d" % (time.time() * 1000)
    made = make_auction(
        {"name": tag, "deposit_fen": 50000,
         "soft_close_minutes": SOFT_CLOSE_MINUTES,
         "extend_minutes": EXTEND_MINUTES,
         "extend_cap_minutes": EXTEND_CAP_MINUTES},
        # Starts below the first band's end: the bids cross bands.
        [{"catalogue_no": "001", "name": tag + " vase", "start_fen": 95000,
          "ends_in_minutes": 30}])
    lot_id = made["lots"][0]["id"]
    start_fen = 95000
    names = ["%s-%d" % (tag, index) for index in range(BIDDERS)]
    headers, partner_ids = login_all(odoo_server, sim, names)
    end_before = json.loads(run_in_odoo(DEPOSITS_AND_END % {
        "lot": lot_id, "partners": list(partner_ids),
        "ends_in": ENDS_IN_MINUTES}))

    gate = threading.Barrier(BIDDERS)
    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(BIDDERS) as pool:
        results = [answer for answers in pool.map(
            lambda auth: bidder(odoo_server, lot_id, auth, gate), headers)
            for answer in answers]
    elapsed = time.time() - start

    # Every answer: a 200, or a 409/403 in the API's error shape.
    server_errors = [(kind, status, body) for kind, status, body, _a
                     in results if status >= 500]
    assert not server_errors, server_errors[:10]
    others = [(kind, status, body) for kind, status, body, _a in results
              if status not in (200, 403, 409) or
              (status != 200 and not is_error_shape(body))]
    assert not others, others[:10]
    refused = collections.Counter(
        (kind, status, body["error"]["code"])
        for kind, status, body, _a in results if status != 200)
    # Collisions are told too_low; a bidder already on top, leading.
    assert set(refused) <= {("bid", 409, "too_low"),
                            ("bid", 409, "leading")}, refused
    accepted = [body for kind, status, body, _a in results
                if kind == "bid" and status == 200]
    assert refused[("bid", 409, "too_low")], "no bids collided"

    # The database: accepted bids rise by the ladder from the start.
    bids = sql("SELECT id, amount_fen, partner_id FROM auction_bid"
               " WHERE lot_id = %s ORDER BY id", [lot_id])
    amounts = [amount for _id, amount, _p in bids]
    assert amounts and amounts[0] >= start_fen, amounts[:5]
    too_close = [(before, after) for before, after in zip(amounts,
                                                          amounts[1:])
                 if after < before + increment_at(before)]
    assert not too_close, too_close[:10]
    assert all(a < b for a, b in zip(amounts, amounts[1:]))
    # Each accepted answer is one bid, each bid one accepted answer (an
    # answer sent again after a dropped connection is the same bid).
    assert {body["bid_id"] for body in accepted} == \
        {bid_id for bid_id, _a, _p in bids}
    assert all(body["amount_fen"] <= body["current_fen"]
               for body in accepted)
    # Nobody outbid themselves.
    assert all(a[2] != b[2] for a, b in zip(bids, bids[1:])), bids[:10]

    [(top_bid, current, count, end_after, extended)] = sql(
        "SELECT top_bid_id, current_fen, bid_count, end_at,"
        " extended_minutes FROM auction_lot WHERE id = %s", [lot_id])
    assert (top_bid, current, count) == (bids[-1][0], max(amounts),
                                         len(bids))
    # Soft close: every accepted bid extended the lot, up to the cap.
    minutes = min(len(bids) * EXTEND_MINUTES, EXTEND_CAP_MINUTES)
    assert extended == minutes, (extended, len(bids))
    end_before = datetime.datetime.strptime(end_before, "%Y-%m-%d %H:%M:%S")
    assert end_after == end_before + datetime.timedelta(minutes=minutes), (
        end_before, end_after, len(bids))
    # Step by step: the k-th accepted bid answered the end moved by k
    # extensions (within the cap). An answer sent again after a dropped
    # connection tells the end at that later time: left out.
    order = {bid_id: index for index, (bid_id, _a, _p) in enumerate(bids, 1)}
    steps = sorted((order[body["bid_id"]], utc(body["end_at"])) for kind,
                   status, body, attempts in results
                   if kind == "bid" and status == 200 and attempts == 1)
    wrong = [(k, str(end)) for k, end in steps if end != end_before +
             datetime.timedelta(minutes=min(k * EXTEND_MINUTES,
                                            EXTEND_CAP_MINUTES))]
    assert not wrong, (str(end_before), wrong[:10])

    # The lot ends for the highest bidder.
    result, winner, hammer, due = json.loads(run_in_odoo(END_LOT % lot_id))
    assert (result, winner, hammer) == ("sold", bids[-1][2], max(amounts))
    assert due == hammer  # no premium

    print("%d bidders x %d bids: %d accepted, %s, in %.1f s (%d sent "
          "again)" % (BIDDERS, BIDS_EACH, len(bids), dict(refused),
                      elapsed, sum(a > 1 for _k, _s, _b, a in results)))
    assert elapsed < 120
