# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fuzzing the API from its OpenAPI documents: ``scripts/fuzz``
(schemathesis, in its own Python 3 environment) against a real server in
workers mode, as a logged-in user: no 5xx, no answer outside its schema.

``scripts/fuzz`` creates its environment (.tools/fuzz) when it is missing
(~30 s, once). $MP_FUZZ_EXAMPLES (default 3) and $MP_FUZZ_PHASES (default
coverage,fuzzing) size the run: ~3,400 requests, about a minute on two
cores. Marked ``slow``: ``-m "not slow"`` leaves it out.
"""
import os
import subprocess
import time

import pytest

from conftest import ROOT
from test_event_flow import login

FUZZ = os.path.join(ROOT, "scripts", "fuzz")


@pytest.mark.slow
def test_fuzzing_finds_no_server_error_nor_schema_violation(odoo_server,
                                                            sim):
    auth, _partner = login(odoo_server, sim, "fuzz-%d" % time.time())
    env = dict(os.environ,
               MP_FUZZ_TOKEN=auth["Authorization"].split(" ", 1)[1],
               MP_FUZZ_EXAMPLES=os.environ.get("MP_FUZZ_EXAMPLES", "3"))
    result = subprocess.run(
        [FUZZ, "--url", odoo_server], env=env, cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        universal_newlines=True, timeout=900)
    report = result.stdout
    assert result.returncode == 0, report[-20000:]
    assert "fuzzing" in report and "No issues found" in report, \
        report[-3000:]
