# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Auction figures: accepted bids per second against Odoo's bare route,
and the time the ending cron takes over a session of 1,000 lots.

Run through ``scripts/bench``. Makes two published sessions bidding now
(those of earlier runs are cancelled): one lot, and 100 lots; logs in C
simulator users (16), each with a paid session deposit on both; starts
Odoo in workers mode, then:

* bare: wrk with the same threads and connections on
  ``/web/webclient/version_info`` (and, as a check of the client, the
  same route from the bidding clients' Python loop);
* bids: C clients for D seconds (20), each in a loop looking at a lot
  (``GET /mp/v1/auction_lots/<id>``) and bidding its next minimum
  (``POST .../bid``), all on the one contended lot, then going round
  the 100 lots, each from its own place; accepted bids per second
  (counted in the database), p50 and p99 of the bids, and the ratio of
  accepted bids per second on the contended lot to the bare route's
  requests per second (target >= 0.3);
* ending: a session of L lots (1,000) with B bids (10) by different
  bidders on each, made in SQL with its end in the past, ended by the
  lot-ending cron (``_cron_end_lots``, each run in a new cursor committed
  at its end, as ``ir.cron`` runs it; batches of 200) until nothing is
  left: total time, batches, the slowest, lots per second; every lot
  must be sold to its highest bidder with an order.
"""
import argparse
import collections
import concurrent.futures
import json
import os
import sys
import time
import uuid

import psycopg2
import requests

from bench import free_port, login_users, odoo_snippet as snippet
from bench_results import record, sql_seconds
from bench import bench_bare_python, start_odoo, wrk
from bench_event import NO_LIMIT
from bench_wechatpay import API_KEY, CONFIGURE, MCH_ID, percentile

BENCH_TAG = "[bench] auction"

#: The sessions' own ladder (fen): 10 CNY up to 1,000, 50 up to 5,000,
#: then 100.
LADDER = [(0, 1000), (100000, 5000), (500000, 10000)]

MAKE_SESSIONS = """
import datetime, json
from odoo import fields

tag = %(tag)r
# Sessions of earlier runs: out of the way (bench data, nothing to refund).
env.cr.execute(
    "UPDATE auction_session SET cancelled = true, published = false"
    " WHERE name LIKE %%s AND NOT cancelled", [tag + '%%'])


def utc_in(**delta):
    return fields.Datetime.to_string(
        datetime.datetime.utcnow() + datetime.timedelta(**delta))


def session(name, lots):
    record = env['auction.session'].create({
        'name': '%%s %%s' %% (tag, name), 'published': True,
        'preview_start': utc_in(days=-1), 'preview_end': utc_in(hours=-1),
        'bidding_start': utc_in(hours=-1), 'bidding_end': utc_in(hours=6),
        'deposit_fen': 10000, 'premium_percent': 5.0,
        'increment_ids': [(0, 0, {'from_fen': start, 'increment_fen': step})
                          for start, step in %(ladder)r],
    })
    return [env['auction.lot'].create({
        'session_id': record.id, 'catalogue_no': '%%03d' %% (index + 1),
        'name': 'Bench lot %%d' %% (index + 1), 'start_fen': 10000,
    }).id for index in range(lots)], record.id


contended, contended_session = session('contended', 1)
spread, spread_session = session('spread', %(lots)d)
env.cr.commit()
print(json.dumps({'contended': contended, 'spread': spread,
                  'sessions': [contended_session, spread_session]}))
"""

DEPOSITS = """
for session_id in %(sessions)r:
    for partner_id in %(partners)r:
        env['auction.deposit'].create({
            'partner_id': partner_id, 'session_id': session_id,
            'amount_fen': 10000})._mark_paid()
env.cr.commit()
"""

#: The lot-ending cron run after run, as ir.cron runs it: each run in a
#: new cursor, committed at its end, until a run finds nothing. Prints
#: [[lots, seconds] per run].
RUN_ENDING_CRON = """
import json, time
import odoo
runs = []
while True:
    start = time.time()
    with env.registry.cursor() as cr:
        count = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})[
            'auction.lot']._cron_end_lots()
    runs.append([count, time.time() - start])
    if not count:
        break
print(json.dumps(runs))
"""

MAKE_ENDED_SESSION = """
import datetime, json, time
from odoo import fields

tag, lots, bidders = %(tag)r, %(lots)d, %(bidders)d
start = time.time()


def utc_in(**delta):
    return fields.Datetime.to_string(
        datetime.datetime.utcnow() + datetime.timedelta(**delta))


Partner = env['res.partner']
pool = Partner.search([('name', '=like', tag + ' bidder %%')], order='id')
for index in range(len(pool), %(pool)d):
    pool |= Partner.create({'name': '%%s bidder %%d' %% (tag, index)})
pool = pool.ids[:%(pool)d]
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
    SELECT %%s, %%s, g, lpad(g::text, 4, '0'), 'Bench lot ' || g, 10000, 0,
        0, now() at time zone 'UTC' - interval '1 minute', 0,
        1, 1, now() at time zone 'UTC', now() at time zone 'UTC'
    FROM generate_series(1, %%s) g''',
    [session.id, session.company_id.id, lots])
# Bid k of lot g (k = 0..B-1) is by pool[(g + k) mod P], at 100 + 10 k
# CNY: the last bidder wins.
cr.execute('''
    INSERT INTO auction_bid (lot_id, session_id, partner_id, amount_fen,
        client_key, proxy, create_uid, write_uid, create_date, write_date)
    SELECT l.id, l.session_id,
        (%%s::int[])[1 + (l.sequence + k) %%%% array_length(%%s::int[], 1)],
        10000 + 1000 * k, 'bench-' || l.id || '-' || k, false, 1, 1,
        now() at time zone 'UTC', now() at time zone 'UTC'
    FROM auction_lot l CROSS JOIN generate_series(0, %%s - 1) k
    WHERE l.session_id = %%s ORDER BY l.id, k''',
    [pool, pool, bidders, session.id])
cr.execute('''
    UPDATE auction_lot l SET top_bid_id = b.id, current_fen = b.amount_fen,
        bid_count = %%s
    FROM auction_bid b
    WHERE b.lot_id = l.id AND l.session_id = %%s
      AND b.amount_fen = 10000 + 1000 * (%%s - 1)''',
    [bidders, session.id, bidders])
env.cr.commit()
print(json.dumps({'session': session.id, 'seconds': time.time() - start}))
"""

ENDING_FACTS = """
SELECT count(*),
       count(*) FILTER (WHERE l.result = 'sold' AND l.winner_id =
                        b.partner_id AND l.hammer_fen = b.amount_fen
                        AND o.state = 'draft'),
       count(*) FILTER (WHERE l.result IS NULL),
       count(DISTINCT o.id)
FROM auction_lot l
JOIN auction_bid b ON b.id = l.top_bid_id
LEFT JOIN sale_order o ON o.id = l.order_id AND o.auction_lot_id = l.id
WHERE l.session_id = %s
"""


def sql(db, query, params=()):
    connection = psycopg2.connect(dbname=db)
    try:
        with connection.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall()
    finally:
        connection.close()


def call(method, url, attempts=10, **kwargs):
    """One request, sent again when the server dropped the connection
    unread (Odoo's prefork workers close a connection whose request takes
    over 2 s to arrive; a bid's key makes sending it again safe).
    (response or None, seconds, attempts)."""
    start = time.time()
    for attempt in range(1, attempts + 1):
        try:
            return method(url, timeout=120, **kwargs), \
                time.time() - start, attempt
        except requests.ConnectionError:
            if attempt < attempts:
                time.sleep(min(0.5 * attempt, 2))
    return None, time.time() - start, attempts


def outcome(response):
    """``"200"``, ``"409 too_low"``... of an answer."""
    if response is None:
        return "no answer"
    if response.status_code == 200:
        return "200"
    try:
        return "%d %s" % (response.status_code,
                          response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return "%d (not JSON)" % response.status_code


def bidding(url, token, lots, seconds, index):
    """Client ``index``: look at a lot, bid its next minimum, until the
    time is up; its answers and latencies. With several lots it goes
    round them from its own place, so that the clients take turns on
    each lot (a bidder who leads is not asked to bid on top of
    himself)."""
    http = requests.Session()
    auth = {"Authorization": "Bearer " + token}
    result = {"bid": [], "get": [], "outcomes": collections.Counter(),
              "again": 0}
    deadline = time.time() + seconds
    step = 0
    while time.time() < deadline:
        lot = lots[(index + step) % len(lots)]
        step += 1
        path = url + "/mp/v1/auction_lots/%d" % lot
        response, took, attempts = call(http.get, path, headers=auth)
        result["get"].append(took)
        if response is None or response.status_code != 200:
            result["outcomes"]["GET " + outcome(response)] += 1
            continue
        amount = response.json()["next_min_fen"]
        response, took, attempts = call(
            http.post, path + "/bid", headers=auth,
            json={"amount_fen": amount, "key": uuid.uuid4().hex})
        result["bid"].append(took)
        result["outcomes"][outcome(response)] += 1
        result["again"] += attempts > 1
    return result


def bids_on(db, lots):
    return sql(db, "SELECT count(*) FROM auction_bid WHERE lot_id IN %s",
               [tuple(lots)])[0][0]


def bench_bids(args, url, tokens, lots):
    """C clients bid on ``lots`` for D seconds; the figures."""
    before = bids_on(args.db, lots)
    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(len(tokens)) as pool:
        results = list(pool.map(
            lambda item: bidding(url, item[1], lots, args.duration,
                                 item[0]), enumerate(tokens)))
    elapsed = time.time() - start
    accepted = bids_on(args.db, lots) - before
    outcomes = collections.Counter()
    for result in results:
        outcomes.update(result["outcomes"])
    bids = [took for result in results for took in result["bid"]]
    gets = [took for result in results for took in result["get"]]
    return {
        "seconds": elapsed,
        "accepted": accepted,
        "answered": outcomes["200"],
        "per_second": accepted / elapsed,
        "bid_rps": len(bids) / elapsed,
        "p50": percentile(bids, 0.5) * 1000,
        "p99": percentile(bids, 0.99) * 1000,
        "get_rps": len(gets) / elapsed,
        "get_p50": percentile(gets, 0.5) * 1000,
        "get_p99": percentile(gets, 0.99) * 1000,
        "outcomes": outcomes,
        "again": sum(result["again"] for result in results),
    }


#: The floor of ending a session: every lot's result written by the
#: database alone in one statement (rolled back).
FLOOR_ENDING = """
UPDATE auction_lot l SET result = 'sold', hammer_fen = b.amount_fen,
    winner_id = b.partner_id
FROM auction_bid b
WHERE b.id = l.top_bid_id AND l.session_id = %s
"""


def bench_ending(args):
    """Leftover lots past their end first (not timed), then the timed
    ending of a session of L lots with B bids each."""
    leftovers = sum(count for count, _s in json.loads(
        snippet(args.db, RUN_ENDING_CRON))[:-1])
    made = json.loads(snippet(args.db, MAKE_ENDED_SESSION % {
        "tag": BENCH_TAG, "lots": args.end_lots,
        "bidders": args.end_bidders, "pool": args.end_pool}))
    floor = sql_seconds(args.db, FLOOR_ENDING, [made["session"]])
    start = time.time()
    runs = json.loads(snippet(args.db, RUN_ENDING_CRON))
    total = time.time() - start
    lots, sold, left, orders = sql(args.db, ENDING_FACTS,
                                   [made["session"]])[0]
    return {
        "leftovers": leftovers, "made_seconds": made["seconds"],
        "floor": floor,
        "total": total, "cron_seconds": sum(s for _c, s in runs),
        "runs": [run for run in runs if run[0]], "lots": lots,
        "sold": sold, "left": left, "orders": orders,
    }


def print_bids(name, result):
    print("%-34s %9.1f %9.1f %8.0f %8.0f %6d %5d" % (
        name, result["bid_rps"], result["per_second"], result["p50"],
        result["p99"], sum(count for answer, count in
                           result["outcomes"].items() if answer != "200"),
        result["again"]))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--simulator", required=True)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16,
                        help="wrk's connections and the bidding clients")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--lots", type=int, default=100,
                        help="lots of the spread bidding")
    parser.add_argument("--end-lots", type=int, default=1000)
    parser.add_argument("--end-bidders", type=int, default=10,
                        help="bids (by different bidders) on each lot")
    parser.add_argument("--end-pool", type=int, default=100,
                        help="bidders the ending session's bids come from")
    args = parser.parse_args()

    port = free_port()
    url = "http://127.0.0.1:%d" % port
    snippet(args.db, CONFIGURE % {"sim": args.simulator, "mch": MCH_ID,
                                  "key": API_KEY, "odoo": url})
    snippet(args.db, NO_LIMIT)
    made = json.loads(snippet(args.db, MAKE_SESSIONS % {
        "tag": BENCH_TAG, "lots": args.lots, "ladder": LADDER}))
    process, url = start_odoo(args.db, port, args.workers)
    try:
        tokens = login_users(url, args.simulator, args.connections)
        partners = [requests.get(url + "/mp/v1/me", timeout=30, headers={
            "Authorization": "Bearer " + token}).json()["id"]
            for token in tokens]
        snippet(args.db, DEPOSITS % {"sessions": made["sessions"],
                                     "partners": partners})
        warm = argparse.Namespace(**dict(vars(args), duration=3))
        wrk(url + "/web/webclient/version_info", "version_info.lua", warm)
        bench_bids(warm, url, tokens, made["spread"])
        bare = wrk(url + "/web/webclient/version_info", "version_info.lua",
                   args)
        bare_python = bench_bare_python(url, len(tokens), args.duration)
        contended = bench_bids(args, url, tokens, made["contended"])
        spread = bench_bids(args, url, tokens, made["spread"])
    finally:
        process.terminate()
        process.wait(30)
    ending = bench_ending(args)

    print()
    print("wrk -t%d -c%d -d%ds; %d bidding clients for %d s; Odoo "
          "workers=%d; %d cores (clients on the same cores)" % (
              args.threads, args.connections, args.duration,
              args.connections, args.duration, args.workers,
              os.cpu_count()))
    print("%-34s %9s %9s %8s %8s %6s %5s" % (
        "route", "req/s", "bids/s", "p50 ms", "p99 ms", "non-2xx",
        "again"))
    print("%-34s %9.1f %9s %8.2f %8.2f %6d %5s" % (
        "POST /web/webclient/version_info", bare["rps"], "-", bare["p50"],
        bare["p99"], bare["errors"], "-"))
    print_bids("POST bid, one contended lot", contended)
    print_bids("POST bid, %d lots" % args.lots, spread)
    for name, result in (("GET lot, contended", contended),
                         ("GET lot, %d lots" % args.lots, spread)):
        print("%-34s %9.1f %9s %8.0f %8.0f" % (
            name, result["get_rps"], "-", result["get_p50"],
            result["get_p99"]))
    ratio = contended["per_second"] / bare["rps"]
    print("accepted bids/s on the contended lot : version_info req/s = "
          "%.2f (target >= 0.30)" % ratio)
    print("  the same against the bare route from the bidders' Python "
          "client (%.1f req/s): %.2f; %d lots: %.2f" % (
              bare_python, contended["per_second"] / bare_python,
              args.lots, spread["per_second"] / bare["rps"]))
    print("(bids/s: accepted bids counted in the database; req/s, p50, p99:"
          " bid requests; \"again\": sent again after a dropped "
          "connection)")
    failed = []
    for name, result in (("contended", contended), ("spread", spread)):
        refused = ", ".join("%d x %s" % (count, answer) for answer, count
                            in sorted(result["outcomes"].items())
                            if answer != "200")
        print("  %s answers: %d accepted, %s" % (name, result["answered"],
                                                 refused or "none refused"))
        if result["answered"] != result["accepted"] or any(
                not answer.startswith(("200", "409", "403"))
                for answer in result["outcomes"]):
            failed.append(name)
    print()
    runs = ending["runs"]
    print("ending: %d lots x %d bids (made in %.1f s), cron runs of %d: "
          "%d runs, %.1f s in total (%.1f lots/s), slowest run %.1f s; "
          "%d sold to the highest bidder with an order, %d left" % (
              ending["lots"], args.end_bidders, ending["made_seconds"],
              max(count for count, _s in runs) if runs else 0, len(runs),
              ending["total"], ending["lots"] / ending["total"],
              max(seconds for _c, seconds in runs) if runs else 0,
              ending["sold"], ending["left"]))
    if ending["leftovers"]:
        print("  (%d lots of earlier runs ended first, not timed)"
              % ending["leftovers"])
    record("contended", "bids on one lot (%d clients, accepted bids)"
           % args.connections, contended["per_second"], "req/s",
           "bare route", bare["rps"], 0.3, contended["p50"],
           contended["p99"])
    record("contended", "bids spread over %d lots (accepted bids)"
           % args.lots, spread["per_second"], "req/s", "bare route",
           bare["rps"], None, spread["p50"], spread["p99"])
    record("bulk", "ending %d lots x %d bids (cron)" % (
        ending["lots"], args.end_bidders), ending["total"], "s",
        "one UPDATE of the lots", ending["floor"], None,
        note="%d sold with an order" % ending["sold"])
    if bare["errors"]:
        failed.append("bare route errors")
    if ending["sold"] != args.end_lots or ending["left"] or \
            ending["orders"] != args.end_lots:
        failed.append("ending")
    if failed:
        sys.exit("bench failed: %s" % ", ".join(failed))


if __name__ == "__main__":
    main()
