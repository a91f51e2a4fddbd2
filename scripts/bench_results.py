# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The figures of the benchmarks, each with its reference.

Every bench script calls :func:`record` for each figure it measures; the
figures go, one JSON object per line, to the file named by the
``MP_BENCH_RESULTS`` environment variable (``scripts/bench`` sets it), and
``scripts/bench_table.py`` prints them as one table, as JSON and as a PNG
chart. Run alone, a script only prints its own lines.

A figure is a value with its unit, and the value of its reference
measured in the same run (the bare Odoo route for the API, one
``INSERT ... SELECT`` or ``UPDATE`` for the bulk jobs): ``ratio`` is value
/ reference. For a rate (req/s) higher is better and the target is a
lowest ratio; for a duration (s) lower is better and the target, when
there is one, a highest ratio.
"""
import json
import os
import time

import psycopg2


def record(group, name, value, unit, reference=None, reference_value=None,
           target=None, p50=None, p99=None, note=""):
    """Keep one figure; returns it."""
    figure = {
        "group": group, "name": name, "value": round(value, 3),
        "unit": unit, "reference": reference,
        "reference_value": round(reference_value, 3)
        if reference_value else None,
        "ratio": round(value / reference_value, 3)
        if reference_value else None,
        "target": target, "p50_ms": round(p50, 1) if p50 else None,
        "p99_ms": round(p99, 1) if p99 else None, "note": note,
    }
    path = os.environ.get("MP_BENCH_RESULTS")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(figure, ensure_ascii=False) + "\n")
    return figure


def load(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def sql_seconds(db, statement, params=()):
    """Seconds one SQL statement takes on ``db``, rolled back: the floor a
    bulk job is compared with (the same rows written by the database
    alone)."""
    connection = psycopg2.connect(dbname=db)
    try:
        with connection.cursor() as cr:
            start = time.time()
            cr.execute(statement, params)
            seconds = time.time() - start
        connection.rollback()
        return seconds
    finally:
        connection.close()
