# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Back-office groups, over Odoo's own RPC against a real server.

An event manager (Events / Manager, no accounting) cannot read payouts; an
accountant (Invoicing / Billing) cannot create or change bids; the
mini-program API's technical user cannot log in (web form, JSON-RPC,
external RPC), even once somebody gave it a password, and so cannot call
``/web/dataset/call_kw``.
"""
import json
import re
import time

import psycopg2
import requests

from conftest import DB, run_in_odoo
from test_event_flow import sql

API_LOGIN = "__mp_api__"

MAKE_USERS = """
import json
tag = %r
users = {}
for key, groups in (
        ('event_manager', ['event.group_event_manager']),
        ('accountant', ['account.group_account_invoice'])):
    users[key] = env['res.users'].with_context(
        no_reset_password=True).create({
            'name': '%%s %%s' %% (tag, key), 'login': '%%s-%%s' %% (tag, key),
            'password': tag + '-pw',
            'groups_id': [(6, 0, [env.ref('base.group_user').id] + [
                env.ref(xmlid).id for xmlid in groups])]}).id
bid = env['auction.bid'].search([], limit=1)
env.cr.commit()
print(json.dumps({'users': users, 'bid': bid.id, 'lot': bid.lot_id.id,
                  'partner': bid.partner_id.id}))
"""


def jsonrpc(server, path, params, session=None):
    """A JSON-RPC call: ``(result, error name)``."""
    response = (session or requests).post(server + path, json={
        "jsonrpc": "2.0", "method": "call", "id": 1, "params": params},
        timeout=60)
    assert response.status_code == 200, response.text[:500]
    body = response.json()
    error = body.get("error")
    return body.get("result"), error and (
        error.get("data", {}).get("name") or error.get("message"))


def execute(server, uid, password, model, method, *args, **kwargs):
    return jsonrpc(server, "/jsonrpc", {
        "service": "object", "method": "execute_kw",
        "args": [DB, uid, password, model, method, list(args), kwargs]})


def login_uid(server, login, password):
    uid, error = jsonrpc(server, "/jsonrpc", {
        "service": "common", "method": "login",
        "args": [DB, login, password]})
    assert error is None, error
    return uid


def test_event_managers_and_accountants_stay_in_their_lanes(odoo_server):
    tag = "Grp%d" % (time.time() * 1000)
    made = json.loads(run_in_odoo(MAKE_USERS % tag))
    assert made["bid"], "the demo data has no bid"
    password = tag + "-pw"
    manager = login_uid(odoo_server, tag + "-event_manager", password)
    accountant = login_uid(odoo_server, tag + "-accountant", password)
    assert manager == made["users"]["event_manager"]
    assert accountant == made["users"]["accountant"]

    # The event manager runs the activities ...
    count, error = execute(odoo_server, manager, password, "event.event",
                           "search_count", [])
    assert error is None and count > 0, error
    # ... and sees no payout.
    for method, args in (("search_read", [[]]), ("read", [[1]]),
                         ("search_count", [[]])):
        _result, error = execute(odoo_server, manager, password,
                                 "wechatpay.payout", method, *args)
        assert error == "odoo.exceptions.AccessError", (method, error)

    # The accountant reads payouts ...
    _count, error = execute(odoo_server, accountant, password,
                            "wechatpay.payout", "search_count", [])
    assert error is None, error
    # ... and changes no bid.
    before = sql("SELECT amount_fen, write_date FROM auction_bid"
                 " WHERE id = %s", [made["bid"]])
    for method, args in (
            ("create", [{"lot_id": made["lot"], "partner_id": made["partner"],
                         "amount_fen": 99999999}]),
            ("write", [[made["bid"]], {"amount_fen": 1}]),
            ("unlink", [[made["bid"]]])):
        _result, error = execute(odoo_server, accountant, password,
                                 "auction.bid", method, *args)
        # Bids are immutable even for the superuser (a UserError before
        # any access check); creating one is the accountant's AccessError.
        assert error == "odoo.exceptions.AccessError" or (
            method != "create" and error == "odoo.exceptions.UserError"), (
            method, error)
    assert sql("SELECT amount_fen, write_date FROM auction_bid"
               " WHERE id = %s", [made["bid"]]) == before


SET_API_PASSWORD = """
env.ref('base_wechat_miniprogram.user_mp_api').password = %r
env.cr.commit()
"""


def stored_api_password(pair=None):
    """The API user's stored password pair (plain, hashed); ``pair``:
    store it back."""
    connection = psycopg2.connect(dbname=DB)
    try:
        with connection, connection.cursor() as cr:
            cr.execute("SELECT password, password_crypt FROM res_users"
                       " WHERE login = %s", [API_LOGIN])
            old = cr.fetchone()
            if pair is not None:
                cr.execute("UPDATE res_users SET password = %s,"
                           " password_crypt = %s WHERE login = %s",
                           list(pair) + [API_LOGIN])
        return old
    finally:
        connection.close()


def refused_everywhere(server, password):
    """The API user's logins with ``password`` all fail, and the session
    they leave cannot call a model."""
    # The web form.
    session = requests.Session()
    page = session.get(server + "/web/login", params={"db": DB},
                       timeout=60)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    form = session.post(server + "/web/login", data={
        "login": API_LOGIN, "password": password, "db": DB,
        "csrf_token": token.group(1)}, timeout=60, allow_redirects=False)
    assert form.status_code == 200, (form.status_code, form.headers)
    info, _error = jsonrpc(server, "/web/session/get_session_info", {},
                           session)
    assert not (info or {}).get("uid"), info
    # JSON-RPC, then a model call on that session.
    result, error = jsonrpc(server, "/web/session/authenticate", {
        "db": DB, "login": API_LOGIN, "password": password}, session)
    assert error or not (result or {}).get("uid"), result
    result, error = jsonrpc(server, "/web/dataset/call_kw", {
        "model": "mp.api.token", "method": "search_read",
        "args": [[]], "kwargs": {"fields": ["session_key"]}}, session)
    assert error and result is None, (result, error)
    # External RPC.
    uid, error = jsonrpc(server, "/jsonrpc", {
        "service": "common", "method": "login",
        "args": [DB, API_LOGIN, password]})
    assert not uid, uid


def test_the_api_user_never_reaches_the_back_office(odoo_server):
    assert sql("""
        SELECT u.share, EXISTS (
            SELECT 1 FROM res_groups_users_rel r
            JOIN ir_model_data d ON d.model = 'res.groups'
              AND d.res_id = r.gid AND d.module = 'base'
              AND d.name = 'group_user'
            WHERE r.uid = u.id)
        FROM res_users u WHERE u.login = %s""", [API_LOGIN]) == [
        (True, False)]
    for password in ("", "admin", API_LOGIN):
        refused_everywhere(odoo_server, password)
    # Even with a password somebody set on it, it does not log in.
    old = stored_api_password()
    run_in_odoo(SET_API_PASSWORD % "Sec-Api-Pass-1")
    try:
        assert stored_api_password() != old
        refused_everywhere(odoo_server, "Sec-Api-Pass-1")
    finally:
        stored_api_password(old)
