# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The access matrix of the mini-program API, from its OpenAPI documents.

Every operation of every document the server publishes (``/api-docs``, one
per service of ``/mp/v1/``) is called, so a new endpoint is covered
without touching this file:

- without a token, with a garbage one, an expired one and a revoked one:
  401 (but the login, which is public);
- for every path with an id: as user B on user A's record (or, for the
  catalogue, on a record nobody may see), 404, and nothing changes. A path
  whose resource ``ID_PATHS`` does not know fails the test ("no fixture
  for <path>"): add its resource below.

Every answer is the JSON error shape, never a 500.
"""
import json
import re
import time

import pytest
import requests

from conftest import run_in_odoo
from test_event_flow import login, sql

LOGIN = ("post", "/mp/v1/auth/login")

#: The resource each path with an id names. Owned resources belong to a
#: partner: another partner gets 404. Catalogue resources are public
#: when published: a hidden one is 404 for everybody.
ID_PATHS = {
    "/mp/v1/addresses/{id}": "address",
    "/mp/v1/addresses/{id}/delete": "address",
    "/mp/v1/auction_coupons/{id}/claim": "auction_coupon",
    "/mp/v1/auction_lots/{id}": "auction_lot",
    "/mp/v1/auction_lots/{id}/get": "auction_lot",
    "/mp/v1/auction_lots/{id}/bid": "auction_lot",
    "/mp/v1/auction_lots/{id}/bids": "auction_lot",
    "/mp/v1/auction_orders/{id}/pay": "auction_order",
    "/mp/v1/auction_orders/{id}/receive": "auction_order",
    "/mp/v1/auction_sessions/{id}": "auction_session",
    "/mp/v1/auction_sessions/{id}/get": "auction_session",
    "/mp/v1/clockin_envelopes/{id}/open": "envelope",
    "/mp/v1/events/{id}": "event",
    "/mp/v1/events/{id}/get": "event",
    "/mp/v1/events/{id}/form": "event",
    "/mp/v1/events/{id}/join": "event",
    "/mp/v1/events/{id}/participants": "event",
    "/mp/v1/events/{id}/reviews": "event",
    "/mp/v1/events/{id}/wait": "event",
    "/mp/v1/gift_lotteries/{id}": "lottery",
    "/mp/v1/gift_lotteries/{id}/get": "lottery",
    "/mp/v1/gift_lotteries/{id}/joiners": "lottery",
    "/mp/v1/gift_lotteries/{id}/pay": "lottery",
    "/mp/v1/gift_prizes/{id}": "prize",
    "/mp/v1/gift_prizes/{id}/get": "prize",
    "/mp/v1/gift_prizes/{id}/claim": "prize",
    "/mp/v1/gifts/{id}": "gift",
    "/mp/v1/gifts/{id}/get": "gift",
    "/mp/v1/payments/{id}": "payment",
    "/mp/v1/payments/{id}/get": "payment",
    "/mp/v1/payments/{id}/refresh": "payment",
    "/mp/v1/registrations/{id}": "registration",
    "/mp/v1/registrations/{id}/get": "registration",
    "/mp/v1/registrations/{id}/cancel": "registration",
    "/mp/v1/registrations/{id}/checkin": "registration",
    "/mp/v1/registrations/{id}/pay": "registration",
    "/mp/v1/registrations/{id}/review": "registration",
}
CATALOGUE = {"auction_coupon", "auction_lot", "auction_session", "event",
             "gift"}

#: Who owns an owned record, and its state (which B's calls must leave
#: as it was).
OWNED_SQL = {
    "address": "SELECT parent_id, active::text FROM res_partner"
               " WHERE id = %s",
    "auction_order": "SELECT partner_id, state || coalesce("
                     "partner_shipping_id::text, '') FROM sale_order"
                     " WHERE id = %s",
    "envelope": "SELECT partner_id, state || coalesce(payout_id::text, '')"
                " FROM clockin_allocation WHERE id = %s",
    "lottery": "SELECT partner_id, state || join_count FROM gift_lottery"
               " WHERE id = %s",
    "prize": "SELECT partner_id, state || coalesce(address_id::text, '')"
             " FROM gift_lottery_prize WHERE id = %s",
    "payment": "SELECT partner_id, state FROM payment_transaction"
               " WHERE id = %s",
    "registration": "SELECT partner_id, state || mp_stage || (SELECT"
                    " count(*) FROM event_mp_review v WHERE"
                    " v.registration_id = r.id) FROM event_registration r"
                    " WHERE id = %s",
}
#: What calls on a hidden catalogue record could have changed.
CATALOGUE_SQL = """
SELECT (SELECT count(*) FROM event_registration WHERE event_id = %(event)s),
       (SELECT count(*) FROM event_mp_waitlist WHERE event_id = %(event)s),
       (SELECT count(*) FROM auction_bid WHERE lot_id = %(auction_lot)s),
       (SELECT claimed FROM auction_coupon WHERE id = %(auction_coupon)s)
"""

#: Values for string patterns of the documents, to build valid bodies.
PATTERN_EXAMPLES = {
    r"^1[3-9]\d{9}$": "13912345678",
    r"^\d{15}$": "123456789012345",
    r"^https://[^\s]{1,500}$": "https://example.com/a.png",
    r"^https?://\S+$": "https://example.com/a.png",
    r"^[A-Za-z0-9_-]{16,64}$": "A" * 16,
    r"^\d{4}-\d{2}-\d{2}$": "2030-01-01",
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?(\.\d+)?([+-]\d\d:\d\d|Z)$":
        "2030-01-01T08:00:00+08:00",
}

MAKE_RECORDS = """
import datetime, json
from odoo import fields

spec = json.loads(%r)
now = datetime.datetime.utcnow()


def utc_in(**delta):
    return fields.Datetime.to_string(now + datetime.timedelta(**delta))


tag = spec['tag']
owner = env['res.partner'].browse(spec['owner'])
company = env.ref('base.main_company')
out = {}


def event(published):
    return env['event.event'].create({
        'name': '%%s %%s event' %% (tag, published and 'open' or 'hidden'),
        'date_tz': 'Asia/Shanghai', 'date_begin': utc_in(days=3),
        'date_end': utc_in(days=3, hours=3), 'state': 'confirm',
        'seats_availability': 'unlimited', 'mp_published': published,
        'mp_payment_method': 'online'})


shown, hidden = event(True), event(False)
out['event'] = {'shown': shown.id, 'hidden': hidden.id}
registration = env['event.registration'].create({
    'event_id': shown.id, 'partner_id': owner.id, 'name': owner.name,
    'mp_joined': True})
registration.confirm_registration()
out['registration'] = registration.id

made = {}
for published in (True, False):
    session = env['auction.session'].create({
        'name': '%%s %%s session' %% (tag, published),
        'published': published, 'deposit_fen': 50000,
        'preview_start': utc_in(days=-2), 'preview_end': utc_in(hours=-1),
        'bidding_start': utc_in(hours=-1), 'bidding_end': utc_in(hours=2),
        'increment_ids': [(0, 0, {'from_fen': 0, 'increment_fen': 1000})]})
    lot = env['auction.lot'].create({
        'session_id': session.id, 'catalogue_no': '001',
        'name': '%%s lot' %% tag, 'start_fen': 100000, 'deposit_fen': 20000})
    coupon = env['auction.coupon'].create({
        'session_id': session.id, 'name': '%%s coupon' %% tag,
        'amount_fen': 1000, 'issued': 5, 'claim_start': utc_in(hours=-1),
        'claim_end': utc_in(days=1)})
    made[published] = (session, lot, coupon)
for index, name in enumerate(('auction_session', 'auction_lot',
                              'auction_coupon')):
    out[name] = {'shown': made[True][index].id,
                 'hidden': made[False][index].id}
out['auction_order'] = env['sale.order'].create({
    'partner_id': owner.id, 'auction_lot_id': made[True][1].id,
    'auction_due_at': utc_in(days=2)}).id

products = {}
for gift in (True, False):
    products[gift] = env['product.product'].create({
        'name': '%%s %%s gift' %% (tag, gift), 'type': 'consu',
        'list_price': 9.9, 'gift_ok': gift, 'invoice_policy': 'order',
        'taxes_id': [(6, 0, [])]})
out['gift'] = {'shown': products[True].id, 'hidden': products[False].id}
lottery = env['gift.lottery']._mp_create(
    owner, products[True], 1, 'hi', 'timed',
    draw_at=now + datetime.timedelta(days=1))
out['lottery'] = lottery.id
entry = env['gift.lottery.entry'].create({
    'lottery_id': lottery.id, 'partner_id': owner.id, 'sequence': 1,
    'ticket': tag[-12:]})
out['prize'] = env['gift.lottery.prize'].create({
    'lottery_id': lottery.id, 'product_id': products[True].id,
    'entry_id': entry.id, 'partner_id': owner.id,
    'claim_deadline': utc_in(days=3)}).id

settled = env['clockin.round'].search([('state', '=', 'settled')], limit=1)
stake = env['clockin.entry'].create({
    'round_id': settled.id, 'partner_id': owner.id, 'stake_fen': 100,
    'method': 'wallet', 'state': 'clocked'})
out['envelope'] = env['clockin.allocation'].create({
    'round_id': settled.id, 'entry_id': stake.id, 'partner_id': owner.id,
    'company_id': company.id, 'rank': 1, 'share_fen': 50,
    'stake_fen': 100, 'amount_fen': 150}).id

out['address'] = owner._mp_add_delivery_address({
    'name': 'Li Lei', 'phone': '13912345678', 'province': 'Guangdong',
    'city': 'Shenzhen', 'district': 'Nanshan', 'detail': tag}).id

tokens = env['mp.api.token']
expired_raw, expired = tokens._issue(owner, 'session-key')
revoked_raw, revoked = tokens._issue(owner, 'session-key')
revoked.action_revoke()
env.cr.execute("UPDATE mp_api_token SET expires_at = now() at time zone"
               " 'UTC' - interval '1 minute' WHERE id = %%s", [expired.id])
out['tokens'] = {'expired': expired_raw, 'revoked': revoked_raw}
env.cr.commit()
print(json.dumps(out))
"""


# -- the documents -----------------------------------------------------------

def api_operations(server):
    """Every operation the server documents: dicts of ``method`` (lower
    case), ``path`` (absolute template, ``/mp/v1/<service>/{id}/...``),
    ``service`` and ``operation`` (its OpenAPI object)."""
    page = requests.get(server + "/api-docs", timeout=60)
    assert page.status_code == 200, page.text[:500]
    urls = re.findall(r"'url': '(/api-docs/mp/v1/([a-z_]+)\.json)'",
                      page.text)
    assert len(urls) >= 20, "services listed at /api-docs: %s" % urls
    operations = []
    for url, service in urls:
        response = requests.get(server + url, timeout=60)
        assert response.status_code == 200, (url, response.text[:500])
        for path, methods in response.json()["paths"].items():
            full = "/mp/v1/%s%s" % (service, "" if path == "/" else path)
            for method, operation in methods.items():
                operations.append({"method": method, "path": full,
                                   "service": service,
                                   "operation": operation})
    return operations


def example(schema, where):
    """A valid value of a JSON schema of the documents."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {name: example(value, where)
                for name, value in schema.get("properties", {}).items()
                if name in schema.get("required", ())}
    if kind == "integer":
        return max(schema.get("minimum", 1), 1)
    if kind == "number":
        return float(max(schema.get("minimum", 1), 1))
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "string":
        if "pattern" in schema:
            assert schema["pattern"] in PATTERN_EXAMPLES, \
                "no example for the pattern %r of %s: add one to " \
                "PATTERN_EXAMPLES" % (schema["pattern"], where)
            return PATTERN_EXAMPLES[schema["pattern"]]
        return "x" * max(schema.get("minLength", 1), 1)
    raise AssertionError("no example for %r of %s" % (schema, where))


def valid_request(operation, record_id):
    """``(method, url path, query, body)`` of a valid call of
    ``operation`` on ``record_id``."""
    op = operation["operation"]
    path = operation["path"].replace("{id}", str(record_id))
    query = {p["name"]: example(p["schema"], operation["path"])
             for p in op.get("parameters", ())
             if p["in"] == "query" and p.get("required")}
    body = None
    if "requestBody" in op:
        body = example(op["requestBody"]["content"]["application/json"]
                       ["schema"], operation["path"])
    return operation["method"].upper(), path, query, body


def call(server, method, path, query=None, body=None, token=None,
         headers=None):
    headers = dict(headers or {})
    if token:
        headers["Authorization"] = "Bearer " + token
    return requests.request(method, server + path, params=query,
                            json=body, headers=headers, timeout=60)


def assert_error(response, status, code=None, where=""):
    """``response`` is the API's JSON error with ``status`` (and
    ``code``); returns its code."""
    assert response.status_code == status, (
        where, response.status_code, response.text[:500])
    assert response.headers["Content-Type"].startswith(
        "application/json"), (where, response.headers["Content-Type"])
    error = response.json()["error"]
    assert isinstance(error["code"], str) and error["code"], (where, error)
    assert isinstance(error["message"], str) and error["message"], (
        where, error)
    if code:
        assert error["code"] == code, (where, error)
    return error["code"]


# -- fixtures ----------------------------------------------------------------

@pytest.fixture(scope="module")
def operations(odoo_server):
    return api_operations(odoo_server)


@pytest.fixture(scope="module")
def world(odoo_server, sim):
    """Users A and B (bearer headers and partner ids) and A's records of
    every kind, plus hidden catalogue records."""
    tag = "Sec%d" % (time.time() * 1000)
    owner, owner_id = login(odoo_server, sim, tag + "-a")
    other, other_id = login(odoo_server, sim, tag + "-b")
    records = json.loads(run_in_odoo(MAKE_RECORDS % json.dumps(
        {"tag": tag, "owner": owner_id})))
    # A's WeChat payment: paying the lottery opens one.
    paid = requests.post(
        odoo_server + "/mp/v1/gift_lotteries/%d/pay" % records["lottery"],
        json={"method": "wechatpay"}, headers=owner, timeout=60)
    assert paid.status_code == 200, paid.text
    records["payment"] = paid.json()["transaction_id"]
    return {"a": owner, "a_id": owner_id, "b": other, "b_id": other_id,
            "records": records, "tag": tag}


def token_of(auth):
    return auth["Authorization"].split(" ", 1)[1]


# -- 401 ---------------------------------------------------------------------

def test_every_operation_needs_a_live_token(odoo_server, operations, world):
    tokens = world["records"]["tokens"]
    # The owner of both tokens is live and may call: only the token
    # itself is refused below.
    assert call(odoo_server, "GET", "/mp/v1/me",
                token=token_of(world["a"])).status_code == 200
    checked = 0
    for operation in operations:
        method, path, query, body = valid_request(operation, 1)
        where = "%s %s" % (method, operation["path"])
        if (operation["method"], operation["path"]) == LOGIN:
            # Public: an empty body is refused for its content, not for
            # a missing token.
            assert_error(call(odoo_server, method, path, body={}), 400,
                         "invalid_input", where)
            continue
        for token, headers, code in (
                (None, None, "unauthorized"),
                (None, {"Authorization": "Basic dXNlcjpwYXNz"},
                 "unauthorized"),
                ("not-a-token", None, "invalid_token"),
                (tokens["expired"], None, "token_expired"),
                (tokens["revoked"], None, "token_revoked")):
            response = call(odoo_server, method, path, query, body,
                            token=token, headers=headers)
            assert_error(response, 401, code, where)
            checked += 1
    assert checked >= 5 * 80, checked


# -- 404 on another partner's records ----------------------------------------

def owned_states(records):
    return {kind: sql(query, [records[kind]])
            for kind, query in OWNED_SQL.items()}


def catalogue_state(records):
    return sql(CATALOGUE_SQL, {kind: records[kind]["hidden"]
                               for kind in ("event", "auction_lot",
                                            "auction_coupon")})


def test_other_partners_and_hidden_records_are_404(odoo_server, operations,
                                                   world):
    records = world["records"]
    id_operations = [o for o in operations if "{id}" in o["path"]]
    missing = sorted({o["path"] for o in id_operations
                      if o["path"] not in ID_PATHS})
    assert not missing, "no fixture for %s: add its resource to ID_PATHS" \
        % ", ".join(missing)
    # The fixture is right: A's records are A's ...
    before = owned_states(records)
    for kind, rows in before.items():
        assert rows and rows[0][0] == world["a_id"], (kind, rows)
    hidden_before = catalogue_state(records)
    b_token, a_token = token_of(world["b"]), token_of(world["a"])
    for operation in id_operations:
        kind = ID_PATHS[operation["path"]]
        where = "%s %s" % (operation["method"].upper(), operation["path"])
        if kind in CATALOGUE:
            record_id = records[kind]["hidden"]
            if operation["method"] == "get":
                # ... and the published twin of a hidden record is seen
                method, path, query, body = valid_request(
                    operation, records[kind]["shown"])
                shown = call(odoo_server, method, path, query, body,
                             token=b_token)
                assert shown.status_code == 200, (where, shown.text[:300])
        else:
            record_id = records[kind]
            if operation["method"] == "get":
                # ... and A sees them.
                method, path, query, body = valid_request(operation,
                                                          record_id)
                mine = call(odoo_server, method, path, query, body,
                            token=a_token)
                assert mine.status_code == 200, (where, mine.text[:300])
        method, path, query, body = valid_request(operation, record_id)
        assert_error(call(odoo_server, method, path, query, body,
                          token=b_token), 404, where=where)
        if kind in CATALOGUE:
            assert_error(call(odoo_server, method, path, query, body,
                              token=a_token), 404, where=where)
    # Nothing B tried changed anything.
    assert owned_states(records) == before
    assert catalogue_state(records) == hidden_before


#: The lists of owned resources: path, resource, items of an answer.
LISTS = (
    ("/mp/v1/addresses", "address", lambda body: body["items"]),
    ("/mp/v1/auction_orders", "auction_order",
     lambda body: [item for group in body.values() for item in group]),
    ("/mp/v1/clockin_envelopes", "envelope", lambda body: body["items"]),
    ("/mp/v1/gift_lotteries", "lottery", lambda body: body["items"]),
    ("/mp/v1/gift_prizes", "prize", lambda body: body["items"]),
    ("/mp/v1/registrations", "registration", lambda body: body["items"]),
)


def test_lists_show_only_the_callers_records(odoo_server, world):
    records = world["records"]
    for path, kind, items in LISTS:
        ids = {}
        for user in ("a", "b"):
            response = call(odoo_server, "GET", path,
                            token=token_of(world[user]))
            assert response.status_code == 200, (path, response.text)
            ids[user] = {item["id"] for item in items(response.json())}
        assert records[kind] in ids["a"], (path, ids)
        assert records[kind] not in ids["b"], (path, ids)
