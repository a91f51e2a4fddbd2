# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Hostile input to the API's lists, and rate limiting of the login.

Every query parameter of every list (``GET`` without an id, taken from
the OpenAPI documents) gets SQL, LIKE wildcards, control characters, a
very long string and emoji: 200 with sane results or 400, never a 500, and
nothing in the database changes. A search finds its text literally. Over
the company's login limit, the login is a JSON 429.
"""
import json
import time

import psycopg2
import pytest

from conftest import DB, run_in_odoo
from test_event_flow import login, sql
from test_security_access import (
    api_operations, assert_error, call, example, token_of)

HOSTILE = (
    "'; DROP TABLE res_partner; --",
    "' OR '1'='1",
    "1; SELECT pg_sleep(5)",
    "%", "_", "%_%", "\\", "\\%",
    "\x00", "a\x00b", "\x1f", "a\x1fb", "\x7f", "\u202e\u200b",
    "x" * 5000,
    "😀🎉", "１２３", "-1", "1e99", "NaN", "[]", "{\"a\": 1}", " ",
)
#: Parameters of every list, tried on one list only.
PAGING = ("page", "size")
#: Tables whose row counts the hostile searches must leave as they were.
TABLES = ("res_partner", "res_users", "event_event", "event_registration",
          "product_template", "sale_order", "gift_lottery", "auction_lot",
          "mp_api_token")

MAKE_NAMED = """
import datetime, json
from odoo import fields
tag = %r
now = datetime.datetime.utcnow()
names = [tag + ' 100%% outdoors', tag + ' a_b walk', tag + ' back\\\\slash',
         tag + ' plain']
for name in names:
    env['event.event'].create({
        'name': name, 'date_tz': 'Asia/Shanghai',
        'date_begin': fields.Datetime.to_string(
            now + datetime.timedelta(days=2)),
        'date_end': fields.Datetime.to_string(
            now + datetime.timedelta(days=2, hours=2)),
        'state': 'confirm', 'seats_availability': 'unlimited',
        'mp_published': True, 'mp_payment_method': 'online'})
    env['product.product'].create({
        'name': name, 'type': 'consu', 'list_price': 9.9, 'gift_ok': True,
        'taxes_id': [(6, 0, [])]})
env.cr.commit()
print(json.dumps(names))
"""


def counts():
    return sql("SELECT " + ", ".join(
        "(SELECT count(*) FROM %s)" % table for table in TABLES))[0]


def list_parameters(operations):
    """``(operation, parameter)`` of every query parameter of the lists,
    ``/`` and ``/search`` (the same method) once, paging once."""
    seen, paging_done, found = set(), False, []
    for operation in operations:
        if operation["method"] != "get" or "{id}" in operation["path"]:
            continue
        path = operation["path"]
        if path.endswith("/search"):
            continue  # the same method as its list
        params = [p for p in operation["operation"].get("parameters", ())
                  if p["in"] == "query"]
        if any(p["name"] in PAGING for p in params):
            if paging_done:
                params = [p for p in params if p["name"] not in PAGING]
            paging_done = True
        for param in params:
            if (path, param["name"]) not in seen:
                seen.add((path, param["name"]))
                found.append((operation, param))
    return found


def items_of(body):
    return body.get("items") if isinstance(body, dict) else None


def test_hostile_list_parameters_are_200_or_400(odoo_server, sim):
    auth, _partner = login(odoo_server, sim, "hostile-%d" % time.time())
    token = token_of(auth)
    found = list_parameters(api_operations(odoo_server))
    searches = [(o["path"], p["name"]) for o, p in found
                if p["name"] == "search"]
    assert len(found) >= 20 and len(searches) >= 3, (found, searches)
    before = counts()
    statuses = {}
    for operation, param in found:
        required = {p["name"]: example(p["schema"], operation["path"])
                    for p in operation["operation"]["parameters"]
                    if p["in"] == "query" and p.get("required")}
        unfiltered = None
        if param["name"] == "search":
            response = call(odoo_server, "GET", operation["path"], required,
                            token=token)
            assert response.status_code == 200, response.text[:300]
            unfiltered = response.json()["total"]
        for value in HOSTILE:
            where = "GET %s?%s=%r" % (operation["path"], param["name"],
                                      value[:40])
            response = call(odoo_server, "GET", operation["path"],
                            dict(required, **{param["name"]: value}),
                            token=token)
            statuses[response.status_code] = \
                statuses.get(response.status_code, 0) + 1
            if response.status_code != 200:
                assert_error(response, 400, where=where)
                continue
            body = response.json()
            if param["name"] != "search":
                continue
            # Sane: the items hold the text (the query string parser
            # strips it), or all of them for a blank text.
            text = value.strip().casefold()
            if not text:
                assert body["total"] == unfiltered, (where, body["total"])
            for item in items_of(body):
                title = (item.get("title") or item.get("name") or "")
                assert text in title.casefold(), (where, title)
    assert statuses.get(200) and statuses.get(400), statuses
    assert counts() == before


@pytest.mark.parametrize("path", ["events", "gifts"])
def test_search_text_is_literal(odoo_server, sim, path):
    tag = "Lit%d" % (time.time() * 1000)
    json.loads(run_in_odoo(MAKE_NAMED % tag))
    auth, _partner = login(odoo_server, sim, tag)
    for text, expected in (("100%", [" 100% outdoors"]),
                           ("a_b", [" a_b walk"]),
                           ("back\\s", [" back\\slash"]),
                           ("", [" 100% outdoors", " a_b walk",
                                 " back\\slash", " plain"])):
        response = call(odoo_server, "GET", "/mp/v1/" + path,
                        {"search": tag + " " + text if text else tag,
                         "size": 50}, token=token_of(auth))
        assert response.status_code == 200, response.text
        names = sorted(item.get("title") or item.get("name")
                       for item in response.json()["items"])
        assert names == sorted(tag + name for name in expected), (
            text, names)
    for text in ("%", "_"):
        response = call(odoo_server, "GET", "/mp/v1/" + path,
                        {"search": text, "size": 100}, token=token_of(auth))
        names = [item.get("title") or item.get("name")
                 for item in response.json()["items"]]
        assert names and all(text in name for name in names), (text, names)


# -- rate limiting of the login -----------------------------------------------

def set_login_limit(limit):
    """The company's logins a minute per address, counted afresh."""
    connection = psycopg2.connect(dbname=DB)
    try:
        with connection, connection.cursor() as cr:
            cr.execute("UPDATE res_company SET mp_login_rate_limit = %s"
                       " WHERE id = (SELECT res_id FROM ir_model_data"
                       " WHERE module = 'base' AND name = 'main_company')",
                       [limit])
            cr.execute("DELETE FROM mp_rate_limit WHERE key LIKE 'ip:%%'")
    finally:
        connection.close()


def test_login_over_the_limit_is_429(odoo_server, sim):
    limit = 3
    # One counting window (a minute) for the whole test.
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)
    set_login_limit(limit)
    tokens = sql("SELECT count(*) FROM mp_api_token")[0][0]
    try:
        statuses = []
        for attempt in range(limit + 2):
            code = sim("POST", "login-code",
                       user="limited-%d-%d" % (time.time(), attempt))["code"]
            response = call(odoo_server, "POST", "/mp/v1/auth/login",
                            body={"code": code})
            statuses.append(response.status_code)
            if attempt >= limit:
                assert_error(response, 429, "rate_limited")
        assert statuses == [200] * limit + [429, 429], statuses
        # Refused logins issued no token.
        assert sql("SELECT count(*) FROM mp_api_token")[0][0] == \
            tokens + limit
    finally:
        set_login_limit(100000)  # as tests/conftest.py sets it
