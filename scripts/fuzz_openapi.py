# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fuzz the mini-program API from its OpenAPI documents (schemathesis).

Run by ``scripts/fuzz`` with the Python of the fuzz environment
(``.tools/fuzz``): fetches every document a running server publishes
(``/api-docs``: one per service of ``/mp/v1/``), merges them into one
document whose paths are absolute, and runs schemathesis on it with a
mini-program user's bearer token. Checks: no 5xx, every answer inside its
documented schema. Exits with schemathesis's status (non-zero on a
failure).

The auth service is left out: its login needs a WeChat code and its
logout would revoke the token the run uses.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import requests

#: Services not fuzzed (see the module's docstring).
SKIPPED_SERVICES = ("auth",)
CHECKS = "not_a_server_error,response_schema_conformance"


def service_documents(url):
    """``{usage: document}`` of every service of ``/mp/v1/``."""
    page = requests.get(url + "/api-docs", timeout=60)
    page.raise_for_status()
    urls = re.findall(r"'url': '(/api-docs/mp/v1/([a-z_]+)\.json)'",
                      page.text)
    if not urls:
        raise SystemExit("no OpenAPI document listed at %s/api-docs" % url)
    documents = {}
    for path, usage in urls:
        response = requests.get(url + path, timeout=60)
        response.raise_for_status()
        documents[usage] = response.json()
    return documents


def merge(documents, url):
    """One OpenAPI document of all services, paths under ``/mp/v1/``."""
    merged = {
        "openapi": "3.0.0",
        "info": {"title": "Mini-program API", "version": "v1"},
        "servers": [{"url": url}],
        "paths": {},
        "components": {},
        "security": [{"bearer": []}],
    }
    for usage, document in sorted(documents.items()):
        if usage in SKIPPED_SERVICES:
            continue
        merged["components"].update(document.get("components", {}))
        for path, operations in document["paths"].items():
            full = "/mp/v1/%s%s" % (usage, "" if path == "/" else path)
            for operation in operations.values():
                operation["tags"] = [usage]
            merged["paths"][full] = operations
    return merged


def login(url, sim_url, user):
    """A bearer token of ``user``, logged in through the simulator."""
    code = requests.post(sim_url.rstrip("/") + "/sim/login-code",
                         json={"user": user}, timeout=30)
    code.raise_for_status()
    response = requests.post(url + "/mp/v1/auth/login",
                             json={"code": code.json()["code"]}, timeout=60)
    response.raise_for_status()
    return response.json()["token"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True,
                        help="the Odoo server, e.g. http://127.0.0.1:8069")
    parser.add_argument("--token", default=os.environ.get("MP_FUZZ_TOKEN"),
                        help="a bearer token (default: $MP_FUZZ_TOKEN, "
                             "else a login through --sim)")
    parser.add_argument("--sim", default=os.environ.get("WECHAT_SIM_URL"),
                        help="the WeChat simulator, to log in")
    parser.add_argument("--examples", type=int, default=int(
        os.environ.get("MP_FUZZ_EXAMPLES", "5")),
        help="test cases per operation and phase (default 5)")
    parser.add_argument("--phases", default=os.environ.get(
        "MP_FUZZ_PHASES", "coverage,fuzzing"),
        help="schemathesis phases (default coverage,fuzzing, or "
             "$MP_FUZZ_PHASES): coverage tries each parameter's boundary "
             "and invalid values (~35 cases an operation), fuzzing "
             "--examples random ones")
    parser.add_argument("--seed", type=int, default=None)
    # One: Debian's Python 3.11.2 races in ``ast`` when hypothesis
    # describes strategies from several threads ("AST constructor
    # recursion depth mismatch", fixed in later CPython releases).
    parser.add_argument("--workers", default="1")
    parser.add_argument("--include-tag", action="append", default=[],
                        help="fuzz only these services (repeatable)")
    args, extra = parser.parse_known_args()
    url = args.url.rstrip("/")
    token = args.token
    if not token:
        if not args.sim:
            raise SystemExit("give --token or --sim (or set MP_FUZZ_TOKEN "
                             "or WECHAT_SIM_URL)")
        token = login(url, args.sim, "fuzz-user")
    document = merge(service_documents(url), url)
    operations = sum(len(ops) for ops in document["paths"].values())
    with tempfile.NamedTemporaryFile("w", suffix=".json",
                                     delete=False) as handle:
        json.dump(document, handle)
    print("fuzzing %d operations of %d paths (%s, %d examples each)"
          % (operations, len(document["paths"]), args.phases,
             args.examples), flush=True)
    command = [
        os.path.join(os.path.dirname(sys.executable), "schemathesis"),
        "--no-color", "run", handle.name, "--url", url,
        "--checks", CHECKS,
        "--header", "Authorization: Bearer %s" % token,
        "--max-examples", str(args.examples),
        "--phases", args.phases,
        "--workers", args.workers,
        "--request-timeout", "60",
        "--suppress-health-check", "all",
        "--no-shrink",
        "--warnings", "off",
        "--generation-database", "none",
    ]
    if args.seed is not None:
        command += ["--seed", str(args.seed)]
    for tag in args.include_tag:
        command += ["--include-tag", tag]
    try:
        # schemathesis writes reports under its working directory
        return subprocess.call(command + extra, cwd=tempfile.gettempdir())
    finally:
        os.unlink(handle.name)


if __name__ == "__main__":
    sys.exit(main())
