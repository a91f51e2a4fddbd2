# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Activity figures: the activity list against Odoo's bare route, and
many users joining one activity at once.

Run through ``scripts/bench``. Starts Odoo in workers mode on a bench
database holding ~50 published activities (made here; those of earlier
runs are unpublished), logs in many simulator users, then:

* list: wrk with the same threads and connections on ``GET
  /mp/v1/events`` (a page of 20, rotating over the users' tokens) and on
  ``/web/webclient/version_info``; requests/s, p50, p99 and the
  throughput ratio (target >= 0.6);
* join: N users (300) join one activity of S seats (50) at once, free
  and then paid online (each winner opens a WeChat Pay order on the
  simulator); p50/p99 of the answers and the seats taken, which must be
  exactly S.
"""
import argparse
import collections
import concurrent.futures
import json
import os
import sys
import tempfile
import threading
import time

import psycopg2
import requests

from bench_results import record
from bench import free_port, login_users, odoo_snippet as snippet
from bench import start_odoo, wrk
from bench_wechatpay import API_KEY, CONFIGURE, MCH_ID, percentile

BENCH_TAG = "[bench]"

#: No per-user limit in reach (its counter still runs, part of the cost).
NO_LIMIT = """
env.ref('base.main_company').write({'mp_rate_limit': 10**9,
                                    'mp_login_rate_limit': 10**9})
env.cr.commit()
"""

MAKE_ACTIVITIES = """
import datetime, json
from odoo import fields

tag = %(tag)r
Event = env['event.event']
Event.search([('name', '=like', tag + '%%'),
              ('mp_published', '=', True)]).write({'mp_published': False})
categories = [env['event.type'].search([('name', '=', name)], limit=1) or
              env['event.type'].create({'name': name})
              for name in ('Bench hiking', 'Bench talks', 'Bench sports')]
address = env.ref('base.main_company').partner_id
now = datetime.datetime.utcnow()


def activity(name, days, **values):
    begin = now + datetime.timedelta(days=days, hours=2)
    vals = {
        'name': '%%s %%s' %% (tag, name), 'date_tz': 'Asia/Shanghai',
        'date_begin': fields.Datetime.to_string(begin),
        'date_end': fields.Datetime.to_string(
            begin + datetime.timedelta(hours=3)),
        'address_id': address.id, 'state': 'confirm',
        'mp_published': True, 'mp_payment_method': 'online',
        'seats_availability': 'unlimited',
    }
    vals.update(values)
    return Event.create(vals)


for index in range(%(activities)d):
    activity('activity %%d' %% index, 1 + index %% 40,
             event_type_id=categories[index %% 3].id,
             seats_availability='limited', seats_max=30 + index,
             mp_fee_fen=(index %% 4) * 1000,
             mp_recommended=not index %% 7, mp_sequence=index)
contended = {}
for kind, fee in (('free', 0), ('paid', %(fee)d)):
    contended[kind] = activity(
        'contended %%s' %% kind, 60, seats_availability='limited',
        seats_max=%(seats)d, mp_fee_fen=fee,
        mp_payment_minutes=60).id
env.cr.commit()
print(json.dumps(contended))
"""

LIST_LUA = """
-- GET a page of the activity list, rotating over the tokens of many
-- users (one per line of the file named by TOKENS).
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local path = os.getenv("LIST_PATH")
local index = 0
request = function()
    index = index % #tokens + 1
    return wrk.format("GET", path, {
        ["Authorization"] = "Bearer " .. tokens[index]})
end
"""


def check_list(url, token, path):
    """One call of the benched list; its total (it must be a full page)."""
    response = requests.get(url + path, timeout=30, headers={
        "Authorization": "Bearer " + token})
    response.raise_for_status()
    body = response.json()
    if len(body["items"]) != 20:
        sys.exit("the list answered %d items, not a page of 20"
                 % len(body["items"]))
    return body["total"]


def bench_list(args, url, tokens):
    path = "/mp/v1/events?page=1&size=20"
    total = check_list(url, tokens[0], path)
    with tempfile.NamedTemporaryFile("w", suffix=".txt",
                                     delete=False) as handle:
        handle.write("\n".join(tokens) + "\n")
    with tempfile.NamedTemporaryFile("w", suffix=".lua",
                                     delete=False) as lua:
        lua.write(LIST_LUA)
    env = {"TOKENS": handle.name, "LIST_PATH": path}
    try:
        warm = argparse.Namespace(**dict(vars(args), duration=3))
        wrk(url + "/web/webclient/version_info", "version_info.lua", warm)
        wrk(url + path, lua.name, warm, env)
        bare = wrk(url + "/web/webclient/version_info",
                   "version_info.lua", args)
        listed = wrk(url + path, lua.name, args, env)
    finally:
        os.unlink(handle.name)
        os.unlink(lua.name)
    return bare, listed, total


def join(url, event_id, token, attempts=10):
    """POST the join, sent again when the server dropped the connection
    unread: Odoo's prefork server listens with a backlog of 8 per worker
    and a worker closes a connection whose request does not arrive within
    two seconds (this client's threads are starved of CPU in the burst);
    nginx absorbs that in production. (status, error code, attempts,
    seconds)."""
    start = time.time()
    for attempt in range(1, attempts + 1):
        try:
            response = requests.post(
                url + "/mp/v1/events/%d/join" % event_id,
                json={"answers": {}}, timeout=300,
                headers={"Authorization": "Bearer " + token})
            break
        except requests.ConnectionError:
            if attempt == attempts:
                return 0, "no answer", attempt, time.time() - start
            time.sleep(min(0.5 * attempt, 2))
    code = None
    if response.status_code != 200:
        try:
            code = response.json()["error"]["code"]
        except ValueError:
            code = response.text[:80]
    return response.status_code, code, attempt, time.time() - start


def seats_taken(db, event_id):
    connection = psycopg2.connect(dbname=db)
    try:
        with connection.cursor() as cr:
            cr.execute("""
                SELECT count(*), count(DISTINCT partner_id)
                FROM event_registration
                WHERE event_id = %s AND state IN ('draft', 'open', 'done')
                """, [event_id])
            return cr.fetchone()
    finally:
        connection.close()


def bench_join(args, url, event_id, tokens):
    gate = threading.Barrier(len(tokens))

    def one(token):
        gate.wait()
        return join(url, event_id, token)

    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(len(tokens)) as pool:
        results = list(pool.map(one, tokens))
    elapsed = time.time() - start
    latencies = [seconds for _s, _c, _a, seconds in results]
    taken, people = seats_taken(args.db, event_id)
    # A join answered after its connection dropped, sent again, is told
    # it already joined: it holds its seat.
    lost = sum(1 for status, code, attempts, _s in results
               if status == 409 and code == "already_joined"
               and attempts > 1)
    other = collections.Counter(
        "%s %s" % (status, code) for status, code, attempts, _s in results
        if status != 200 and code != "full" and not (
            code == "already_joined" and attempts > 1))
    return {
        "seconds": elapsed,
        "p50": percentile(latencies, 0.5) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "max": max(latencies) * 1000,
        "joined": sum(1 for r in results if r[0] == 200) + lost,
        "full": sum(1 for r in results if r[0] == 409 and r[1] == "full"),
        "other": other,
        "again": sum(1 for r in results if r[2] > 1),
        "taken": taken,
        "people": people,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--simulator", required=True)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--activities", type=int, default=50)
    parser.add_argument("--users", type=int, default=300,
                        help="users joining the contended activity")
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--fee", type=int, default=3000,
                        help="fee of the paid contended activity, in fen")
    args = parser.parse_args()

    port = free_port()
    url = "http://127.0.0.1:%d" % port
    snippet(args.db, CONFIGURE % {"sim": args.simulator, "mch": MCH_ID,
                                  "key": API_KEY, "odoo": url})
    snippet(args.db, NO_LIMIT)
    contended = json.loads(snippet(args.db, MAKE_ACTIVITIES % {
        "tag": BENCH_TAG, "activities": args.activities,
        "seats": args.seats, "fee": args.fee}))
    process, url = start_odoo(args.db, port, args.workers)
    try:
        tokens = login_users(url, args.simulator, args.users)
        bare, listed, total = bench_list(args, url, tokens)
        joins = [(kind, bench_join(args, url, contended[kind], tokens))
                 for kind in ("free", "paid")]
    finally:
        process.terminate()
        process.wait(30)

    print()
    print("wrk -t%d -c%d -d%ds, Odoo workers=%d, %d users, %d cores" % (
        args.threads, args.connections, args.duration, args.workers,
        args.users, os.cpu_count()))
    print("%-38s %10s %9s %9s %8s" % ("route", "req/s", "p50 ms", "p99 ms",
                                      "non-2xx"))
    for name, result in (
            ("POST /web/webclient/version_info", bare),
            ("GET /mp/v1/events (20 of %d)" % total, listed)):
        print("%-38s %10.1f %9.2f %9.2f %8d" % (
            name, result["rps"], result["p50"], result["p99"],
            result["errors"]))
    ratio = listed["rps"] / bare["rps"]
    print("throughput ratio /mp/v1/events : version_info = %.2f "
          "(target >= 0.60)" % ratio)
    print()
    print("join: %d users at once, one activity of %d seats" % (
        args.users, args.seats))
    print("%-14s %8s %8s %8s %7s %7s %6s %6s %12s" % (
        "activity", "p50 ms", "p99 ms", "max ms", "joined", "full",
        "again", "other", "seats taken"))
    failed = []
    for kind, result in joins:
        label = "free" if kind == "free" else "paid %d fen" % args.fee
        record("contended", "%d joins for the last %d seats (%s)" % (
            args.users, args.seats, label),
            args.users / result["seconds"], "req/s", "bare route",
            bare["rps"], None, result["p50"], result["p99"],
            "%d taken, exactly %d" % (result["taken"], args.seats)
            if result["taken"] == args.seats else "WRONG: %d taken"
            % result["taken"])
        # Seats are counted in the database: each held once, all held.
        exact = result["taken"] == result["people"] == args.seats
        print("%-14s %8.0f %8.0f %8.0f %7d %7d %6d %6d %5d (%s)" % (
            label, result["p50"], result["p99"], result["max"],
            result["joined"], result["full"], result["again"],
            sum(result["other"].values()), result["taken"],
            "exact" if exact else "WRONG"))
        if result["other"]:
            print("  other answers: %s" % ", ".join(
                "%d x %s" % (count, answer)
                for answer, count in sorted(result["other"].items())))
        if not exact or any(answer[:1] == "5" for answer in result["other"]):
            failed.append(kind)
    print("(\"again\": joins sent again after the server dropped the "
          "connection unread)")
    if listed["errors"]:
        sys.exit("the list answered errors during the bench")
    if failed:
        sys.exit("seats taken not exactly %d, or server errors (%s)"
                 % (args.seats, ", ".join(failed)))


if __name__ == "__main__":
    main()
