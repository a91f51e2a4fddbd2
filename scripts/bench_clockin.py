# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Clock-in figures: settling a round of 100,000 entrants, and clock-ins
per second during the window.

Run through ``scripts/bench clockin``.

* settlement: a round on a day long past with E entrants (100,000; 70 %
  clocked in), made in SQL, settled by ``_settle`` as the cron runs it
  (one committed transaction per step: figures, allocation batches of
  20,000, closing); total time and its steps, checked (rows, sum, audit).
  Then, in the same database, the same number of allocation rows written
  by one ``INSERT ... SELECT`` (rolled back): the ratio of the two.
* clock-ins: U users (2,000) with a paid entry in today's round, its
  window opened; Odoo in workers mode; C clients (16) clock them all in
  (``POST /mp/v1/clockin/clock``, each user once): clock-ins per second,
  p50 and p99, and every answer a 200.
"""
import argparse
import concurrent.futures
import json
import os
import time

import psycopg2
import requests

from bench import free_port, odoo_snippet as snippet
from bench import bench_bare_python, start_odoo
from bench_results import record
from bench_event import NO_LIMIT
from bench_wechatpay import percentile

TAG = "[bench] clockin"

#: E bench partners (made once, reused by later runs), a round on a free
#: day long past, its entries (the first 70 % clocked in, a millisecond
#: apart), its settlement time passed.
MAKE_ROUND = """
import datetime, json, time
company = env.ref('base.main_company')
cr = env.cr
start = time.time()
tag, count = %(tag)r, %(count)d
cr.execute("SELECT count(*) FROM res_partner WHERE name LIKE %%s",
           [tag + ' %%'])
have = cr.fetchone()[0]
if have < count:
    cr.execute('''
        INSERT INTO res_partner (name, display_name, active, type,
            is_company, customer, supplier, employee, company_id,
            invoice_warn, sale_warn, picking_warn,
            create_date, write_date, create_uid, write_uid)
        SELECT %%s || ' ' || g, %%s || ' ' || g, true, 'contact', false,
            true, false, false, %%s, 'no-message', 'no-message',
            'no-message',
            now() at time zone 'UTC',
            now() at time zone 'UTC', 1, 1
        FROM generate_series(%%s, %%s) g''',
        [tag, tag, company.id, have + 1, count])
cr.execute("SELECT id FROM res_partner WHERE name LIKE %%s ORDER BY id"
           " LIMIT %%s", [tag + ' %%', count])
partners = [row[0] for row in cr.fetchall()]
Round = env['clockin.round']
day = datetime.date(1970, 1, 1)
cr.execute("SELECT max(day) FROM clockin_round WHERE company_id = %%s"
           " AND day < '1990-01-01'", [company.id])
last = cr.fetchone()[0]
if last:
    # Odoo makes psycopg answer dates as strings.
    day = datetime.datetime.strptime(str(last)[:10], "%%Y-%%m-%%d").date() \\
        + datetime.timedelta(days=1)
rnd = Round._ensure(company, day)
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
print(json.dumps({'round': rnd.id, 'seconds': time.time() - start}))
"""

#: The settlement as the cron runs it: each step a committed transaction.
SETTLE = """
import json, time
import odoo
rnd_id = %(round)d
start = time.time()
with env.registry.cursor() as cr:
    rnd = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})[
        'clockin.round'].browse(rnd_id)
    rnd._settle()
total = time.time() - start
with env.registry.cursor() as cr:
    rnd = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})[
        'clockin.round'].browse(rnd_id)
    audit_start = time.time()
    audit = rnd._audit()
    audit_seconds = time.time() - audit_start
    cr.execute("SELECT count(*), sum(share_fen) FROM clockin_allocation"
               " WHERE round_id = %%s", [rnd_id])
    rows, shared = cr.fetchone()
    print(json.dumps({
        'total': total, 'state': rnd.state, 'rows': rows,
        'shared': shared, 'pool': rnd.pool_fen, 'fee': rnd.fee_fen,
        'winners': rnd.winner_count, 'participants': rnd.participant_count,
        'audit': audit, 'audit_seconds': audit_seconds}))
"""

#: The same number of allocation rows by one INSERT ... SELECT (over the
#: entries of a copy of the round, all in one rolled-back transaction).
BASELINE = """
INSERT INTO clockin_allocation (round_id, entry_id, partner_id, company_id,
    rank, share_fen, stake_fen, amount_fen, state, create_uid, write_uid,
    create_date, write_date)
SELECT e.round_id, e.id, e.partner_id, e.company_id,
    row_number() OVER (ORDER BY e.clocked_at, e.id), 1, e.stake_fen,
    e.stake_fen + 1, 'sealed', 1, 1, now() at time zone 'UTC',
    now() at time zone 'UTC'
FROM clockin_entry e WHERE e.round_id = %s AND e.state = 'clocked'
"""

COPY_ENTRIES = """
INSERT INTO clockin_round (company_id, day, window_start, window_end,
    settle_at, stake_fen, split_mode, nobody_policy, state,
    rollover_in_fen)
SELECT company_id, day - 20000, window_start, window_end, settle_at,
    stake_fen, split_mode, nobody_policy, 'settled', 0
FROM clockin_round WHERE id = %s RETURNING id;
"""

#: Today's round in its window, U bench users with a paid entry and a
#: token each; prints the tokens.
MAKE_CLOCKERS = """
import datetime, json
from odoo import fields
company = env.ref('base.main_company')
company.write({'clockin_risk_rank': 0, 'clockin_tz': 'Asia/Shanghai'})
Round = env['clockin.round']
today = Round._local_today(company)
env.cr.execute(
    "UPDATE clockin_round SET day = day - (3000 + 400 * id)"
    " WHERE company_id = %%s AND day = %%s", [company.id, str(today)])
Round.invalidate_cache()
rnd = Round._ensure(company, today)
now = datetime.datetime.utcnow()
rnd.write({'window_start': fields.Datetime.to_string(
               now - datetime.timedelta(minutes=1)),
           'window_end': fields.Datetime.to_string(
               now + datetime.timedelta(hours=1)),
           'settle_at': fields.Datetime.to_string(
               now + datetime.timedelta(hours=2))})
Token = env['mp.api.token']
tokens = []
for index in range(%(users)d):
    partner = env['res.partner'].create({
        'name': '%(tag)s clocker %%d' %% index,
        'mp_openid': 'o_bench_clock_%%d_%%d' %% (rnd.id, index),
        'company_id': company.id})
    env['clockin.entry'].create({
        'round_id': rnd.id, 'partner_id': partner.id, 'stake_fen': 100,
        'method': 'wallet', 'state': 'paid'})
    tokens.append(Token._issue(partner, 'bench')[0])
env.cr.commit()
print(json.dumps({'round': rnd.id, 'tokens': tokens}))
"""


def sql(db, query, params=()):
    connection = psycopg2.connect(dbname=db)
    try:
        with connection.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall()
    finally:
        connection.close()


def baseline(db, round_id):
    """Seconds of one INSERT ... SELECT of the round's winners' rows
    (into a copy of the round; rolled back)."""
    connection = psycopg2.connect(dbname=db)
    try:
        with connection.cursor() as cr:
            cr.execute(COPY_ENTRIES, [round_id])
            copy_id = cr.fetchone()[0]
            cr.execute("""
                INSERT INTO clockin_entry (round_id, day, company_id,
                    partner_id, stake_fen, method, state, clocked_at)
                SELECT %s, day, company_id, partner_id, stake_fen, method,
                    state, clocked_at
                FROM clockin_entry WHERE round_id = %s""",
                       [copy_id, round_id])
            start = time.time()
            cr.execute(BASELINE, [copy_id])
            seconds = time.time() - start
            rows = cr.rowcount
        connection.rollback()
    finally:
        connection.close()
    return seconds, rows


def bench_settlement(args):
    made = json.loads(snippet(args.db, MAKE_ROUND % {
        "tag": TAG, "count": args.entrants}))
    result = json.loads(snippet(args.db, SETTLE % {"round": made["round"]}))
    result["made_seconds"] = made["seconds"]
    result["baseline"], result["baseline_rows"] = baseline(
        args.db, made["round"])
    return result


def clock(url, token):
    start = time.time()
    for attempt in range(5):
        try:
            response = requests.post(
                url + "/mp/v1/clockin/clock", timeout=120,
                headers={"Authorization": "Bearer " + token})
            return response.status_code, time.time() - start
        except requests.ConnectionError:
            time.sleep(0.5 * (attempt + 1))
    return None, time.time() - start


def bench_clockins(args, url):
    made = json.loads(snippet(args.db, MAKE_CLOCKERS % {
        "tag": TAG, "users": args.users}))
    tokens = made["tokens"]
    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
        answers = list(pool.map(lambda token: clock(url, token), tokens))
    elapsed = time.time() - start
    latencies = [took for _status, took in answers]
    [(clocked,)] = sql(args.db, "SELECT count(*) FROM clockin_entry"
                       " WHERE round_id = %s AND state = 'clocked'",
                       [made["round"]])
    return {
        "users": len(tokens), "seconds": elapsed,
        "per_second": len(tokens) / elapsed,
        "ok": sum(1 for status, _t in answers if status == 200),
        "clocked": clocked,
        "p50": percentile(latencies, 0.5) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--simulator", required=True)
    parser.add_argument("--entrants", type=int, default=100000)
    parser.add_argument("--users", type=int, default=2000,
                        help="users clocking in (each once)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    args, _unknown = parser.parse_known_args()

    snippet(args.db, NO_LIMIT)
    settlement = bench_settlement(args)
    port = free_port()
    process, url = start_odoo(args.db, port, args.workers)
    try:
        requests.post(url + "/mp/v1/clockin/clock", timeout=60)  # warm
        bare = bench_bare_python(url, args.clients, 5)
        clockins = bench_clockins(args, url)
    finally:
        process.terminate()
        process.wait(30)

    print()
    print("Settlement of %d entrants (%d clocked in), %d cores" % (
        settlement["participants"], settlement["winners"], os.cpu_count()))
    print("  made in SQL:            %8.2f s" % settlement["made_seconds"])
    print("  settled (cron steps):   %8.2f s  state %s, %d rows, "
          "%d fen shared of a %d fen pool, fee %d fen" % (
              settlement["total"], settlement["state"], settlement["rows"],
              settlement["shared"] or 0, settlement["pool"],
              settlement["fee"]))
    print("  audit (recompute):      %8.2f s  %s" % (
        settlement["audit_seconds"], settlement["audit"] or "checks out"))
    print("  one INSERT ... SELECT:  %8.2f s  (%d rows)" % (
        settlement["baseline"], settlement["baseline_rows"]))
    print("  ratio settlement / INSERT ... SELECT: %.1f" % (
        settlement["total"] / settlement["baseline"]))
    print("Clock-ins: %d users, %d clients, Odoo workers=%d" % (
        clockins["users"], args.clients, args.workers))
    print("  %.1f clock-ins/s, p50 %.0f ms, p99 %.0f ms, %d answered 200, "
          "%d clocked in" % (clockins["per_second"], clockins["p50"],
                             clockins["p99"], clockins["ok"],
                             clockins["clocked"]))
    record("bulk", "settlement of %d entrants (%d winners)" % (
        settlement["participants"], settlement["winners"]),
        settlement["total"], "s", "one INSERT ... SELECT of the rows",
        settlement["baseline"], note="audit %s" % (
            settlement["audit"] or "checks out"))
    record("contended", "clock-ins in the window (%d clients)"
           % args.clients, clockins["per_second"], "req/s",
           "bare route (Python clients)", bare, None, clockins["p50"],
           clockins["p99"], "%d clocked in" % clockins["clocked"])


if __name__ == "__main__":
    main()
