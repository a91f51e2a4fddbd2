# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Throughput and latency of the mini-program API against Odoo's bare route.

Run through ``scripts/bench``. Starts Odoo in workers mode, logs in many
simulator users, then runs wrk with the same threads and connections on
``GET /mp/v1/me`` and on ``/web/webclient/version_info`` and prints
requests/s, p50 and p99 of each and the throughput ratio (target >= 0.7).
"""
import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

import requests

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
    process, url = start_odoo(args.db, free_port(), args.workers)
    try:
        tokens = login_users(url, args.simulator, args.users)
        with tempfile.NamedTemporaryFile("w", suffix=".txt",
                                         delete=False) as handle:
            handle.write("\n".join(tokens) + "\n")
        env = {"TOKENS": handle.name}
        warm = argparse.Namespace(**dict(vars(args), duration=3))
        wrk(url + "/web/webclient/version_info", "version_info.lua", warm)
        wrk(url + "/mp/v1/me", "me.lua", warm, env)
        bare = wrk(url + "/web/webclient/version_info", "version_info.lua",
                   args)
        api = wrk(url + "/mp/v1/me", "me.lua", args, env)
    finally:
        process.terminate()
        process.wait(30)
    print()
    print("wrk -t%d -c%d -d%ds, Odoo workers=%d, %d users, %d cores" % (
        args.threads, args.connections, args.duration, args.workers,
        args.users, os.cpu_count()))
    print("%-34s %10s %9s %9s %8s" % ("route", "req/s", "p50 ms", "p99 ms",
                                      "non-2xx"))
    for name, result in (("POST /web/webclient/version_info", bare),
                         ("GET /mp/v1/me", api)):
        print("%-34s %10.1f %9.2f %9.2f %8d" % (
            name, result["rps"], result["p50"], result["p99"],
            result["errors"]))
    ratio = api["rps"] / bare["rps"]
    print("throughput ratio /mp/v1/me : version_info = %.2f (target >= 0.70)"
          % ratio)
    if api["errors"]:
        sys.exit("the API answered errors during the bench")


if __name__ == "__main__":
    main()
