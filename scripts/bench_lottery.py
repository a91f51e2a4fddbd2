# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Gift lottery figures: joins per second against Odoo's bare route, and
a draw over 100,000 joiners (total time).

Run through ``scripts/bench lottery``. Makes open lotteries of a bench
gift in the database (no payment: a bench; the open lotteries of earlier
runs, known by their wish, are cancelled): L timed lotteries (20), one
more timed lottery and a direct gift of I items (50); logs in U
simulator users (200); starts Odoo in workers mode, then:

* bare: wrk with the same threads and connections on
  ``/web/webclient/version_info`` (and, as a check of the client, the
  same route from the joining clients' Python loop);
* spread joins: C clients (16) for D seconds (20) join the timed
  lotteries (``POST /mp/v1/gift_shares/join``), each user every lottery,
  consecutive joins on different lotteries: joins per second (entries
  counted in the database), p50 and p99, and the ratio to the bare
  route's requests per second;
* one timed lottery: the U users join it through the C clients, all on
  its row lock: joins per second, p50, p99; U entries;
* direct gift: the U users ask for the I items at once through the C
  clients: answers per second, p50, p99; exactly I answered 200, every
  other caller a 409, and I entries won, I prizes in the database.

Then the draw: a timed lottery of P items (100) with N joiners (100,000,
distinct bench partners made once in SQL and reused by later runs),
entries made in SQL; ``_draw()`` in a new cursor committed at its end, as
the cron runs it: total time, the time of its SQL statements
(freezing the joiner list, ranking, winners and losers) and of the
prizes it makes (records with their mail messages); then
``_verify()`` (the verify endpoint's work), which must verify with P
winners, and ``GET /mp/v1/gift_shares/verify`` once over HTTP (size and
time of the answer).
"""
import argparse
import collections
import concurrent.futures
import json
import os
import sys
import threading
import time

import requests

from bench import free_port, login_users, odoo_snippet as snippet
from bench import start_odoo, wrk
from bench_auction import call, outcome, sql
from bench_wechatpay import percentile

from bench import bench_bare_python
from bench_results import record, sql_seconds

TAG = "[bench] lottery"

#: The company set for the bench (simulator, no per-user limit in reach:
#: its counter still runs, part of the cost); the bench buyer and gift;
#: the open lotteries of earlier runs cancelled; new lotteries. Prints
#: their share tokens and ids. Parameters in ``ARGS``.
MAKE_LOTTERIES = """
import datetime, json
from odoo import fields

tag = ARGS['tag']
env.ref('base.main_company').write({
    'mp_api_root': ARGS['simulator'], 'mp_rate_limit': 10**9,
    'mp_login_rate_limit': 10**9})
env.cr.execute(
    "UPDATE gift_lottery SET state = 'cancel'"
    " WHERE wish LIKE %s AND state IN ('draft', 'open')", [tag + '%'])
Partner = env['res.partner']
buyer = Partner.search([('name', '=', tag + ' buyer')], limit=1) or \\
    Partner.create({'name': tag + ' buyer'})
Product = env['product.product']
gift = Product.search([('name', '=', tag + ' gift')], limit=1) or \\
    Product.create({'name': tag + ' gift', 'type': 'consu',
                    'list_price': 19.9, 'gift_ok': True,
                    'invoice_policy': 'order', 'taxes_id': [(6, 0, [])]})
now = datetime.datetime.utcnow()
later = fields.Datetime.to_string(now + datetime.timedelta(days=1))


def lottery(method, quantity, name):
    values = {
        'partner_id': buyer.id, 'product_id': gift.id,
        'quantity': quantity, 'item_fen': 1990, 'method': method,
        'wish': '%s %s' % (tag, name), 'state': 'open', 'claim_days': 7,
        'unclaimed': 'buyer' if method == 'direct' else 'next'}
    values['draw_at' if method == 'timed' else 'deadline'] = later
    record = env['gift.lottery'].sudo().create(values)
    return {'id': record.id, 'token': record.share_token}


made = {
    'spread': [lottery('timed', 10, 'spread %d' % index)
               for index in range(ARGS['lotteries'])],
    'one': lottery('timed', 10, 'one'),
    'direct': lottery('direct', ARGS['items'], 'direct'),
    'buyer': buyer.id, 'gift': gift.id,
}
env.cr.commit()
print(json.dumps(made))
"""

#: N bench partners (made once in SQL, reused by later runs), an open
#: timed lottery of P items drawn tomorrow (no cron draws it first) and
#: its N entries in SQL. Tickets are 10 hex characters like those of
#: joins, distinct by construction: the join number times an odd constant
#: modulo 2^40 (a bijection), XOR a random salt.
MAKE_DRAW = """
import datetime, json, secrets, time
from odoo import fields

tag, count, items = ARGS['tag'], ARGS['joiners'], ARGS['items']
cr = env.cr
start = time.time()
company = env.ref('base.main_company')
pattern = tag + ' joiner %'
cr.execute("SELECT count(*) FROM res_partner WHERE name LIKE %s", [pattern])
have = cr.fetchone()[0]
if have < count:
    cr.execute('''
        INSERT INTO res_partner (name, display_name, active, type,
            is_company, customer, supplier, employee, company_id,
            invoice_warn, sale_warn, picking_warn, lang, create_date,
            write_date, create_uid, write_uid)
        SELECT %s || g, %s || g, true, 'contact', false, true, false,
            false, %s, 'no-message', 'no-message', 'no-message', 'zh_CN',
            now() at time zone 'UTC', now() at time zone 'UTC', 1, 1
        FROM generate_series(%s, %s) g''',
        [tag + ' joiner ', tag + ' joiner ', company.id, have + 1, count])
partners_seconds = time.time() - start
buyer = env['res.partner'].browse(ARGS['buyer'])
lottery = env['gift.lottery'].sudo().create({
    'partner_id': buyer.id, 'product_id': ARGS['gift'],
    'quantity': items, 'item_fen': 1990, 'method': 'timed',
    'wish': tag + ' draw', 'state': 'open', 'claim_days': 7,
    'draw_at': fields.Datetime.to_string(
        datetime.datetime.utcnow() + datetime.timedelta(days=1))})
entries_start = time.time()
cr.execute('''
    INSERT INTO gift_lottery_entry (lottery_id, partner_id, sequence,
        ticket, state, notify, notified, create_uid, write_uid,
        create_date, write_date)
    SELECT %s, p.id, p.n,
        lpad(to_hex(((p.n * 679891637119) & 1099511627775) # %s), 10, '0'),
        'waiting', false, false, 1, 1, now() at time zone 'UTC',
        now() at time zone 'UTC'
    FROM (SELECT id, row_number() OVER (ORDER BY id) AS n
          FROM res_partner WHERE name LIKE %s) p
    WHERE p.n <= %s''',
    [lottery.id, secrets.randbits(40), pattern, count])
entries = cr.rowcount
cr.execute("UPDATE gift_lottery SET join_count = %s WHERE id = %s",
           [entries, lottery.id])
cr.execute("ANALYZE gift_lottery_entry")
env.cr.commit()
print(json.dumps({
    'id': lottery.id, 'token': lottery.share_token, 'entries': entries,
    'partners_made': max(0, count - have),
    'partners_seconds': partners_seconds,
    'entries_seconds': time.time() - entries_start,
    'seconds': time.time() - start}))
"""

#: ``_draw()`` in a new cursor committed at its end, as the cron runs it,
#: each SQL statement and each prize made timed (wrapped in this process
#: only); then ``_verify()`` in another cursor.
DRAW = """
import json, time
import odoo

statements, awards = [], []
Prize = type(env['gift.lottery.prize'])
award = Prize._award


def timed_award(self, entry):
    began = time.time()
    try:
        return award(self, entry)
    finally:
        awards.append(time.time() - began)


Prize._award = timed_award
start = time.time()
with env.registry.cursor() as cr:
    execute = cr.execute

    def timed(query, params=None, log_exceptions=None):
        began = time.time()
        try:
            return execute(query, params, log_exceptions)
        finally:
            statements.append([str(query), time.time() - began])
    cr.execute = timed
    lottery = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})[
        'gift.lottery'].browse(ARGS['id'])
    lottery._draw()
    draw_seconds = time.time() - start
    cr.execute = execute
total = time.time() - start


def spent(*markers):
    return sum(seconds for query, seconds in statements
               if all(marker in query for marker in markers))


with env.registry.cursor() as cr:
    lottery = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})[
        'gift.lottery'].browse(ARGS['id'])
    verify_start = time.time()
    verified = lottery._verify()
    verify_seconds = time.time() - verify_start
    state = lottery.state
print(json.dumps({
    'total': total, 'draw': draw_seconds,
    'freeze': spent('string_agg'), 'rank': spent('row_number() OVER'),
    'prizes': sum(awards), 'awards': len(awards),
    'sql': sum(seconds for _query, seconds in statements),
    'statements': len(statements), 'state': state,
    'verify_seconds': verify_seconds, 'verified': verified['verified'],
    'winners': len(verified['winners']),
    'tickets': verified['tickets'].count('\\n') + 1}))
"""

DRAW_FACTS = """
SELECT l.state, l.given_count, l.join_count,
       (SELECT count(*) FROM gift_lottery_entry e
        WHERE e.lottery_id = l.id),
       (SELECT count(*) FROM gift_lottery_entry e
        WHERE e.lottery_id = l.id AND e.state = 'won'),
       (SELECT count(*) FROM gift_lottery_entry e
        WHERE e.lottery_id = l.id AND e.state = 'lost'),
       (SELECT count(*) FROM gift_lottery_prize p
        WHERE p.lottery_id = l.id),
       (SELECT count(*) FROM gift_lottery_prize p
        JOIN gift_lottery_entry e ON e.id = p.entry_id
        WHERE p.lottery_id = l.id AND e.state = 'won'
          AND e.rank <= l.quantity AND p.partner_id = e.partner_id)
FROM gift_lottery l WHERE l.id = %s
"""


def run(db, code, **params):
    """``code`` in an Odoo shell with ``ARGS``; its printed JSON."""
    return json.loads(snippet(db, "ARGS = %r\n%s" % (params, code)))


def join(http, url, token, share):
    """(outcome, seconds, attempts) of one join (sent again only when the
    server dropped the connection unread)."""
    response, took, attempts = call(
        http.post, url + "/mp/v1/gift_shares/join", json={"token": share},
        headers={"Authorization": "Bearer " + token})
    return outcome(response), took, attempts


def entries_of(db, lottery_ids):
    return sql(db, "SELECT count(*) FROM gift_lottery_entry"
                   " WHERE lottery_id IN %s", [tuple(lottery_ids)])[0][0]


def figures(results, elapsed):
    latencies = [took for _o, took, _a in results]
    return {
        "seconds": elapsed, "requests": len(results),
        "rps": len(results) / elapsed,
        "p50": percentile(latencies, 0.5) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "outcomes": collections.Counter(o for o, _t, _a in results),
        "again": sum(1 for _o, _t, attempts in results if attempts > 1),
    }


def warm(url, tokens, shares, clients, seconds):
    """Every worker through the share service (a read: ``check``)."""
    deadline = time.time() + seconds

    def loop(index):
        http = requests.Session()
        step = 0
        while time.time() < deadline:
            http.get(url + "/mp/v1/gift_shares/check", timeout=60,
                     params={"token": shares[(index + step) % len(shares)]},
                     headers={"Authorization": "Bearer "
                              + tokens[index % len(tokens)]})
            step += 1
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        list(pool.map(loop, range(clients)))


def bench_spread(args, url, tokens, lotteries):
    """C clients for D seconds take (user, lottery) pairs in turn: every
    user joins every lottery, consecutive pairs on different lotteries."""
    count = len(lotteries)
    pairs = iter([(tokens[user], lotteries[(user + turn) % count]["token"])
                  for turn in range(count) for user in range(len(tokens))])
    lock = threading.Lock()
    ids = [lottery["id"] for lottery in lotteries]
    before = entries_of(args.db, ids)
    deadline = time.time() + args.duration

    def client(_index):
        http = requests.Session()
        results = []
        while time.time() < deadline:
            with lock:
                pair = next(pairs, None)
            if pair is None:
                break
            results.append(join(http, url, *pair))
        return results

    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(args.connections) as pool:
        results = [result for part in pool.map(
            client, range(args.connections)) for result in part]
    result = figures(results, time.time() - start)
    result["joined"] = entries_of(args.db, ids) - before
    result["per_second"] = result["joined"] / result["seconds"]
    return result


def bench_crowd(args, url, tokens, share):
    """Every user joins ``share`` once, through the C clients at once."""
    local = threading.local()

    def one(token):
        if not hasattr(local, "http"):
            local.http = requests.Session()
        return join(local.http, url, token, share)

    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(args.connections) as pool:
        results = list(pool.map(one, tokens))
    return figures(results, time.time() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--simulator", required=True)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16,
                        help="wrk's connections and the joining clients")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--lotteries", type=int, default=20,
                        help="timed lotteries of the spread joins")
    parser.add_argument("--items", type=int, default=50,
                        help="items of the direct gift")
    parser.add_argument("--joiners", type=int, default=100000,
                        help="joiners of the drawn lottery")
    parser.add_argument("--draw-items", type=int, default=100)
    args = parser.parse_args()

    made = run(args.db, MAKE_LOTTERIES, tag=TAG, simulator=args.simulator,
               lotteries=args.lotteries, items=args.items)
    drawn = run(args.db, MAKE_DRAW, tag=TAG, joiners=args.joiners,
                items=args.draw_items, buyer=made["buyer"],
                gift=made["gift"])
    floor = sql_seconds(args.db, "UPDATE gift_lottery_entry SET rank = 1"
                        " WHERE lottery_id = %s", [drawn["id"]])
    draw = run(args.db, DRAW, id=drawn["id"])
    draw_facts = sql(args.db, DRAW_FACTS, [drawn["id"]])[0]

    process, url = start_odoo(args.db, free_port(), args.workers)
    try:
        tokens = login_users(url, args.simulator, args.users)
        shares = [lottery["token"] for lottery in made["spread"]]
        quick = argparse.Namespace(**dict(vars(args), duration=3))
        wrk(url + "/web/webclient/version_info", "version_info.lua", quick)
        warm(url, tokens, shares, args.connections, 3)
        bare = wrk(url + "/web/webclient/version_info", "version_info.lua",
                   args)
        bare_python = bench_bare_python(url, args.connections,
                                        args.duration)
        spread = bench_spread(args, url, tokens, made["spread"])
        one = bench_crowd(args, url, tokens, made["one"]["token"])
        direct = bench_crowd(args, url, tokens, made["direct"]["token"])
        start = time.time()
        verify = requests.get(
            url + "/mp/v1/gift_shares/verify", timeout=300,
            params={"token": drawn["token"]},
            headers={"Authorization": "Bearer " + tokens[0]})
        verify_seconds = time.time() - start
    finally:
        process.terminate()
        process.wait(30)
    one_entries = entries_of(args.db, [made["one"]["id"]])
    direct_facts = sql(args.db, DRAW_FACTS, [made["direct"]["id"]])[0]

    failed = []
    print()
    print("%s: wrk -t%d -c%d -d%ds; %d joining clients; Odoo workers=%d; "
          "%d users; %d cores (clients on the same cores)" % (
              TAG, args.threads, args.connections, args.duration,
              args.connections, args.workers, args.users, os.cpu_count()))
    print("%s bare route: POST /web/webclient/version_info %.1f req/s "
          "p50 %.1f ms p99 %.1f ms, non-2xx %d; from the joining clients' "
          "Python loop %.1f req/s" % (
              TAG, bare["rps"], bare["p50"], bare["p99"], bare["errors"],
              bare_python))
    if bare["errors"]:
        failed.append("bare route errors")

    def refused(result):
        return ", ".join("%d x %s" % (count, answer) for answer, count
                         in sorted(result["outcomes"].items())
                         if answer != "200") or "none"

    def server_errors(result):
        return any(not answer.startswith(("200", "409"))
                   for answer in result["outcomes"])

    print("%s joins (spread, %d timed lotteries): %d joins in %.1f s: "
          "%.1f joins/s, p50 %.0f ms p99 %.0f ms; refused %s; again %d; "
          "joins/s : bare req/s = %.2f (Python loop: %.2f)" % (
              TAG, args.lotteries, spread["joined"], spread["seconds"],
              spread["per_second"], spread["p50"], spread["p99"],
              refused(spread), spread["again"],
              spread["per_second"] / bare["rps"],
              spread["per_second"] / bare_python))
    if spread["outcomes"]["200"] != spread["joined"] or \
            server_errors(spread) or not spread["joined"]:
        failed.append("spread joins")
    print("%s joins (one timed lottery, %d users on its lock): %d joins in "
          "%.1f s: %.1f joins/s, p50 %.0f ms p99 %.0f ms; refused %s; "
          "again %d; %d entries in the database" % (
              TAG, args.users, one["outcomes"]["200"], one["seconds"],
              one["outcomes"]["200"] / one["seconds"], one["p50"],
              one["p99"], refused(one), one["again"], one_entries))
    if one_entries != len(tokens) or server_errors(one):
        failed.append("one timed lottery")
    state, given, _joins, entries, won, _lost, prizes, good = direct_facts
    exact = (direct["outcomes"]["200"] == given == entries == won == prizes
             == good == args.items and state == "drawn" and all(
                 answer.startswith(("200", "409"))
                 for answer in direct["outcomes"]))
    print("%s direct gift: %d items, %d users at once: %d answers in "
          "%.1f s: %.1f req/s, p50 %.0f ms p99 %.0f ms; %d x 200, "
          "refused %s; again %d; database: %d entries, %d won, %d prizes, "
          "%d given, state %s (%s); req/s : bare req/s = %.2f" % (
              TAG, args.items, args.users, direct["requests"],
              direct["seconds"], direct["rps"], direct["p50"],
              direct["p99"], direct["outcomes"]["200"], refused(direct),
              direct["again"], entries, won, prizes, given, state,
              "exact" if exact else "WRONG",
              direct["rps"] / bare["rps"]))
    if not exact:
        failed.append("direct gift")
    record("contended", "joins of one lottery (%d users on its lock)"
           % args.users, one["outcomes"]["200"] / one["seconds"], "req/s",
           "bare route (Python clients)", bare_python, None, one["p50"],
           one["p99"])
    record("contended", "direct-gift joins (%d items, %d users at once)"
           % (args.items, args.users), direct["rps"], "req/s",
           "bare route (Python clients)", bare_python, None,
           direct["p50"], direct["p99"],
           "exact" if exact else "WRONG")
    state, given, joins, entries, won, lost, prizes, good = draw_facts
    print("%s draw: %d joiners, %d winners: %.2f s (SQL: freeze %.2f s, "
          "rank and mark won/lost %.2f s; %d prizes made %.2f s; commit "
          "%.2f s; %d statements %.2f s in all; one UPDATE of the entries "
          "%.2f s)" % (
              TAG, entries, won, draw["total"], draw["freeze"],
              draw["rank"], prizes, draw["prizes"],
              draw["total"] - draw["draw"], draw["statements"],
              draw["sql"], floor))
    record("bulk", "draw over %d joiners (%d winners)" % (entries, won),
           draw["total"], "s", "one UPDATE of the entries", floor,
           note="verified" if draw["verified"] else "NOT verified")
    print("%s draw data made in SQL in %.1f s (%d new partners %.1f s, "
          "%d entries %.1f s)" % (
              TAG, drawn["seconds"], drawn["partners_made"],
              drawn["partners_seconds"], drawn["entries"],
              drawn["entries_seconds"]))
    print("%s draw facts: state %s, %d joiners counted, %d won, %d lost, "
          "%d prizes held by the winners (%d given)" % (
              TAG, state, joins, won, lost, good, given))
    if not (state == "drawn" and entries == joins == args.joiners
            and won == given == prizes == good == args.draw_items
            and lost == args.joiners - args.draw_items):
        failed.append("draw")
    body = verify.content
    answer = verify.json() if verify.status_code == 200 else {}
    print("%s verify: _verify() %.2f s, verified %s, %d winners, %d "
          "tickets; GET /mp/v1/gift_shares/verify: %d, %d bytes in %.2f s, "
          "verified %s" % (
              TAG, draw["verify_seconds"], draw["verified"],
              draw["winners"], draw["tickets"], verify.status_code,
              len(body), verify_seconds, answer.get("verified")))
    if not (draw["verified"] and draw["winners"] == args.draw_items
            and answer.get("verified") is True
            and len(answer.get("winners", ())) == args.draw_items):
        failed.append("verify")
    if failed:
        sys.exit("bench failed: %s" % ", ".join(failed))


if __name__ == "__main__":
    main()
