# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Throughput and latency of the mini-program API against Odoo's bare route.

Run through ``scripts/bench``. Starts Odoo in workers mode, logs in many
simulator users, then runs wrk with the same threads and connections on
Odoo's bare JSON route ``/web/webclient/version_info`` and on a profile
(``GET /mp/v1/me``), a list (``GET /mp/v1/events``, a page of 20) and a
detail (``GET /mp/v1/events/<id>``) endpoint, tokens rotating over the
users, and prints requests/s, p50 and p99 of each and its throughput ratio
to the bare route (targets: profile 0.7, list 0.6).
"""
import argparse
import concurrent.futures
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

import requests

from bench_results import record

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LUA = os.path.join(ROOT, "scripts", "bench_lua")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def odoo_snippet(db, code):
    """Run ``code`` with ``env`` in a new process; its standard output."""
    return subprocess.run(
        [sys.executable, os.path.join(ROOT, "tests", "odoo_env.py"), db,
         code], check=True, cwd=ROOT, stdout=subprocess.PIPE,
        universal_newlines=True).stdout


def start_odoo(db, port, workers):
    log = open(os.path.join(ROOT, ".run", "bench-odoo.log"), "w")
    process = subprocess.Popen([
        os.path.join(ROOT, "scripts", "odoo"),
        "-c", os.path.join(ROOT, "config", "test.conf"),
        "--addons-path=%s" % os.environ["MP_ADDONS_PATH"],
        "-d", db, "--http-port=%d" % port,
        "--longpolling-port=%d" % free_port(), "--workers=%d" % workers,
        "--max-cron-threads=0", "--log-level=warn",
    ], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    url = "http://127.0.0.1:%d" % port
    for _i in range(240):
        try:
            if requests.get(url + "/web/login", timeout=2).ok:
                return process, url
        except requests.RequestException:
            pass
        time.sleep(0.5)
    process.kill()
    sys.exit("Odoo did not start; see .run/bench-odoo.log")


def login_users(url, simulator, count):
    tokens = []
    for index in range(count):
        code = requests.post(simulator + "sim/login-code",
                             json={"user": "bench-%d" % index},
                             timeout=10).json()["code"]
        response = requests.post(url + "/mp/v1/auth/login",
                                 json={"code": code}, timeout=30)
        response.raise_for_status()
        tokens.append(response.json()["token"])
    return tokens


def bare_loop(url, seconds):
    """The bare route from one Python client, as the bidders call."""
    http = requests.Session()
    count, deadline = 0, time.time() + seconds
    while time.time() < deadline:
        http.post(url + "/web/webclient/version_info", timeout=60, json={
            "jsonrpc": "2.0", "method": "call", "params": {}})
        count += 1
    return count


def bench_bare_python(url, clients, seconds):
    """Requests/s of the bare route from ``clients`` Python threads: the
    reference of benches whose clients are Python, not wrk."""
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        counts = list(pool.map(lambda _i: bare_loop(url, seconds),
                               range(clients)))
    return sum(counts) / seconds


def to_ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url, script, args, env=None):
    command = ["wrk", "--latency", "-t%d" % args.threads,
               "-c%d" % args.connections, "-d%ds" % args.duration,
               "-s", os.path.join(LUA, script), url]
    output = subprocess.run(
        command, stdout=subprocess.PIPE, universal_newlines=True,
        env=dict(os.environ, **(env or {})), check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": to_ms(re.search(r"^\s*50%\s+(\S+)", output, re.M).group(1)),
        "p99": to_ms(re.search(r"^\s*99%\s+(\S+)", output, re.M).group(1)),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--simulator", required=True)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--no-rate-limit", action="store_true",
                        help="switch the per-user limit off, to see its cost")
    args = parser.parse_args()

    # The bench measures the API, not the per-user limit: the limit is out
    # of reach but its counter still runs (part of every call's cost)
    # unless --no-rate-limit.
    limit = 0 if args.no_rate_limit else 10 ** 9
    odoo_snippet(args.db, "env.ref('base.main_company').write("
                          "{'mp_api_root': %r, 'mp_rate_limit': %d,"
                          " 'mp_login_rate_limit': 10**9});"
                          " env.cr.commit()" % (args.simulator, limit))
    event_id = int(odoo_snippet(args.db, PUBLISHED_EVENT).strip())
    process, url = start_odoo(args.db, free_port(), args.workers)
    routes = [
        ("profile", "GET /mp/v1/me", "/mp/v1/me", 0.7),
        ("list", "GET /mp/v1/events (page of 20)", "/mp/v1/events?size=20",
         0.6),
        ("detail", "GET /mp/v1/events/<id>", "/mp/v1/events/%d" % event_id,
         None),
    ]
    results = {}
    try:
        tokens = login_users(url, args.simulator, args.users)
        with tempfile.NamedTemporaryFile("w", suffix=".txt",
                                         delete=False) as handle:
            handle.write("\n".join(tokens) + "\n")
        warm = argparse.Namespace(**dict(vars(args), duration=3))
        wrk(url + "/web/webclient/version_info", "version_info.lua", warm)
        for key, _name, path, _target in routes:
            wrk(url + path, "get.lua", warm,
                {"TOKENS": handle.name, "TARGET": path})
        bare = wrk(url + "/web/webclient/version_info", "version_info.lua",
                   args)
        for key, _name, path, _target in routes:
            results[key] = wrk(url + path, "get.lua", args,
                               {"TOKENS": handle.name, "TARGET": path})
    finally:
        process.terminate()
        process.wait(30)
    print()
    print("wrk -t%d -c%d -d%ds, Odoo workers=%d, %d users, %d cores" % (
        args.threads, args.connections, args.duration, args.workers,
        args.users, os.cpu_count()))
    print("%-34s %10s %9s %9s %8s %6s" % ("route", "req/s", "p50 ms",
                                          "p99 ms", "non-2xx", "ratio"))
    print("%-34s %10.1f %9.2f %9.2f %8d" % (
        "POST /web/webclient/version_info", bare["rps"], bare["p50"],
        bare["p99"], bare["errors"]))
    record("API", "bare route /web/webclient/version_info", bare["rps"],
           "req/s", p50=bare["p50"], p99=bare["p99"],
           note="reference of the API figures")
    for key, name, _path, target in routes:
        result = results[key]
        print("%-34s %10.1f %9.2f %9.2f %8d %6.2f" % (
            name, result["rps"], result["p50"], result["p99"],
            result["errors"], result["rps"] / bare["rps"]))
        record("API", name, result["rps"], "req/s", "bare route",
               bare["rps"], target, result["p50"], result["p99"])
    if any(result["errors"] for result in results.values()):
        sys.exit("the API answered errors during the bench")


PUBLISHED_EVENT = """
event = env['event.event'].search([('mp_published', '=', True)], limit=1,
                                  order='id')
print(event.id)
"""


if __name__ == "__main__":
    main()
