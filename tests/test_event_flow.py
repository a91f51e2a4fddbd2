# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Activities end to end, on a real server in workers mode.

A mini-program user logs in, browses the activities, joins a paid one,
pays through WeChat (the simulator), checks in with the venue's QR and
reviews it; another joins, pays and cancels, and the refund comes back
as a posted customer credit note once WeChat's refund notify arrives.
"""
import datetime
import json
import time

import psycopg2
import pytz
import requests

from conftest import DB, run_in_odoo

SHANGHAI = pytz.timezone("Asia/Shanghai")

MAKE_EVENTS = """
import datetime, json
from odoo import fields


def utc_in(minutes):
    return fields.Datetime.to_string(
        datetime.datetime.utcnow() + datetime.timedelta(minutes=minutes))


result = []
for spec in json.loads(%r):
    category = spec.pop('category', None)
    capacity = spec.pop('capacity', 0)
    starts_in = spec.pop('starts_in_minutes', 3 * 24 * 60)
    lasts = spec.pop('lasts_minutes', 180)
    rules = spec.pop('refund_rules', [])
    values = {
        'date_tz': 'Asia/Shanghai',
        'date_begin': utc_in(starts_in),
        'date_end': utc_in(starts_in + lasts),
        'seats_availability': 'limited' if capacity else 'unlimited',
        'seats_max': capacity,
        'state': 'confirm',
        'mp_published': True,
        'mp_payment_method': 'online',
        'mp_refund_rule_ids': [(0, 0, rule) for rule in rules],
    }
    if category:
        values['event_type_id'] = (
            env['event.type'].search([('name', '=', category)], limit=1) or
            env['event.type'].create({'name': category})).id
    values.update(spec)
    event = env['event.event'].create(values)
    result.append({'id': event.id, 'qr': event.mp_checkin_qr,
                   'date_begin': event.date_begin,
                   'category_id': event.event_type_id.id})
env.cr.commit()
print(json.dumps(result))
"""


def make_events(*specs):
    """Create published activities (committed); for each its id, check-in
    QR, start (naive UTC) and category id. A spec holds event.event values
    plus ``capacity``, ``starts_in_minutes``, ``lasts_minutes``,
    ``category`` (a name) and ``refund_rules``."""
    return json.loads(run_in_odoo(MAKE_EVENTS % json.dumps(specs)))


def login(server, sim, user):
    """A mini-program user's bearer headers and partner id."""
    code = sim("POST", "login-code", user=user)["code"]
    response = requests.post(server + "/mp/v1/auth/login",
                             json={"code": code}, timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    return {"Authorization": "Bearer " + body["token"]}, body["profile"]["id"]


def api(method, server, path, auth, **kwargs):
    return requests.request(method, server + "/mp/v1/" + path, headers=auth,
                            timeout=60, **kwargs)


def ok(response):
    assert response.status_code == 200, (response.status_code, response.text)
    return response.json()


def error_code(response, status):
    assert response.status_code == status, (response.status_code,
                                            response.text)
    return response.json()["error"]["code"]


def wait_for(check, timeout=60, pause=0.3):
    """``check()`` once it is truthy, else its last value after
    ``timeout`` seconds."""
    deadline = time.time() + timeout
    while True:
        value = check()
        if value or time.time() > deadline:
            return value
        time.sleep(pause)


def sql(query, params=()):
    """Rows of ``query`` on the test database. Polls use PostgreSQL
    directly: an Odoo process per poll would take the CPU the job runner
    needs."""
    connection = psycopg2.connect(dbname=DB)
    try:
        with connection.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall()
    finally:
        connection.close()


def local_date(utc_text):
    value = datetime.datetime.strptime(utc_text, "%Y-%m-%d %H:%M:%S")
    return pytz.utc.localize(value).astimezone(SHANGHAI).date().isoformat()


REJECTED_PAYMENT = """
SELECT 'late' AS payment, r.state AS refund, r.amount_fen
FROM payment_transaction t
LEFT JOIN wechatpay_refund r ON r.transaction_id = t.id
WHERE t.id = %s AND t.wechatpay_late
"""


def join_and_pay(server, sim, auth, event_id, fee_fen):
    """Join a paid activity and pay as the user; the confirmed sign-up's
    detail and the payment of the join."""
    joined = ok(api("POST", server, "events/%d/join" % event_id, auth,
                    json={"answers": {}}))
    assert joined["stage"] == "to_pay", joined
    payment = joined["payment"]
    assert payment["amount_fen"] == fee_fen, payment
    assert payment["out_trade_no"] and payment["transaction_id"], payment
    assert payment["request_payment"]["paySign"], payment
    path = "registrations/%d" % joined["registration_id"]
    assert ok(api("GET", server, path, auth))["stage"] == "to_pay"
    paid = sim("POST", "pay", out_trade_no=payment["out_trade_no"])
    assert paid["ok"], paid

    def settled():
        detail = ok(api("GET", server, path, auth))
        if detail["stage"] == "confirmed":
            return detail
        return sql(REJECTED_PAYMENT, [payment["transaction_id"]])

    detail = wait_for(settled)
    # A payment the order refuses is booked as unapplied and refunded:
    # payment_wechatpay once compared the order's total with it as floats,
    # and refused 19.90 CNY (rounded to 19.900000000000002) this way.
    assert isinstance(detail, dict), (
        "the sign-up was not confirmed after paying %d fen: payment "
        "rejected and refunded as %s" % (fee_fen, detail))
    assert detail["payment_state"] == "paid", detail
    assert detail["paid_fen"] == fee_fen, detail
    return detail, payment


def test_browse_join_pay_check_in_and_review(odoo_server, sim):
    fee = 1990  # 19.90 CNY: a common price, not exact as a float
    tag = "Flow%d" % (time.time() * 1000)
    category = "Hiking " + tag
    paid, free, _hidden = make_events(
        # Starts in 30 minutes: check-in opens an hour before the start.
        {"name": tag + " sunrise hike", "category": category,
         "capacity": 10, "mp_fee_fen": fee, "starts_in_minutes": 30},
        {"name": tag + " tea tasting", "starts_in_minutes": 7 * 24 * 60},
        {"name": tag + " unpublished", "mp_published": False})
    auth, partner_id = login(odoo_server, sim, "flow-" + tag)

    # The list and its filters.
    listed = ok(api("GET", odoo_server, "events", auth,
                    params={"search": tag, "sort": "start"}))
    assert listed["total"] == 2
    assert [item["id"] for item in listed["items"]] == [paid["id"],
                                                        free["id"]]
    item = listed["items"][0]
    assert item["title"] == tag + " sunrise hike"
    assert item["category"] == {"id": paid["category_id"], "name": category}
    assert (item["fee_fen"], item["capacity"], item["taken"],
            item["status"]) == (fee, 10, 0, "open"), item
    assert item["start"].endswith("+08:00"), item["start"]
    by_category = ok(api("GET", odoo_server, "events", auth,
                         params={"category_id": paid["category_id"]}))
    assert [i["id"] for i in by_category["items"]] == [paid["id"]]
    on_day = ok(api("GET", odoo_server, "events", auth, params={
        "search": tag, "date": local_date(free["date_begin"])}))
    assert [i["id"] for i in on_day["items"]] == [free["id"]]
    paged = ok(api("GET", odoo_server, "events", auth, params={
        "search": tag, "sort": "start", "page": 2, "size": 1}))
    assert (paged["total"], paged["page"], paged["size"]) == (2, 2, 1)
    assert [i["id"] for i in paged["items"]] == [free["id"]]
    assert error_code(api("GET", odoo_server, "events", auth, params={
        "when": "yesterday"}), 400) == "invalid_input"

    # The detail.
    detail = ok(api("GET", odoo_server, "events/%d" % paid["id"], auth))
    assert detail["my_registration"] is None
    assert detail["cancel_policy"] == "allowed"
    assert detail["refund_schedule"] == []
    assert error_code(api("GET", odoo_server, "events/%d" % _hidden["id"],
                          auth), 404) == "not_found"

    # Join and pay.
    registration, _payment = join_and_pay(odoo_server, sim, auth,
                                          paid["id"], fee)
    path = "registrations/%d" % registration["id"]
    assert registration["event_id"] == paid["id"]
    assert len(registration["code"]) == 15, registration
    detail = ok(api("GET", odoo_server, "events/%d" % paid["id"], auth))
    assert detail["taken"] == 1
    assert detail["my_registration"]["stage"] == "confirmed"
    assert error_code(api("POST", odoo_server, "events/%d/join" % paid["id"],
                          auth, json={}), 409) == "already_joined"
    mine = ok(api("GET", odoo_server, "registrations", auth,
                  params={"status": "confirmed"}))
    assert [i["id"] for i in mine["items"]] == [registration["id"]]

    # Check in with the venue's QR (a wrong one is refused), once.
    assert error_code(api("POST", odoo_server, path + "/checkin", auth,
                          json={"qr": paid["qr"] + "x"}),
                      409) == "wrong_code"
    checked = ok(api("POST", odoo_server, path + "/checkin", auth,
                     json={"qr": paid["qr"]}))
    assert checked["checked_in"] and not checked["already"], checked
    again = ok(api("POST", odoo_server, path + "/checkin", auth,
                   json={"qr": paid["qr"]}))
    assert again["already"] and \
        again["checked_in_at"] == checked["checked_in_at"], again
    detail = ok(api("GET", odoo_server, path, auth))
    assert detail["stage"] == "attended" and detail["can_review"], detail

    # Review, once.
    review = ok(api("POST", odoo_server, path + "/review", auth,
                    json={"rating": 5, "text": "Worth getting up for"}))
    assert review["rating"] == 5
    assert error_code(api("POST", odoo_server, path + "/review", auth,
                          json={"rating": 4}), 409) == "already_reviewed"
    reviews = ok(api("GET", odoo_server, "events/%d/reviews" % paid["id"],
                     auth))
    assert reviews["total"] == 1 and reviews["rating"] == 5.0, reviews
    assert reviews["items"][0]["text"] == "Worth getting up for"
    assert not ok(api("GET", odoo_server, path, auth))["can_review"]

    # The back office sees a paid order with its invoice, booked by the
    # job runner.
    assert wait_for(lambda: sql("""
        SELECT 1 FROM event_registration r
        JOIN sale_order_line sol ON sol.order_id = r.sale_order_id
        JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
        JOIN account_invoice_line il ON il.id = rel.invoice_line_id
        JOIN account_invoice i ON i.id = il.invoice_id
        WHERE r.id = %s AND i.type = 'out_invoice' AND i.state = 'paid'
        """, [registration["id"]]), timeout=90), \
        "the paid invoice of the sign-up was not booked"
    facts = json.loads(run_in_odoo("""
import json
registration = env['event.registration'].browse(%d)
print(json.dumps({
    'partner': registration.partner_id.id, 'state': registration.state,
    'method': registration.mp_checkin_method,
    'order': registration.sale_order_id.state,
    'invoices': [(i.type, i.state, i.amount_total)
                 for i in registration.sale_order_id.invoice_ids],
    'review': registration.mp_review_id.rating,
}))
""" % registration["id"]))
    assert facts == {"partner": partner_id, "state": "done",
                     "method": "self", "order": "sale",
                     "invoices": [["out_invoice", "paid", fee / 100.0]],
                     "review": 5}, facts


REFUND_FACTS = """
import json
registration = env['event.registration'].browse(%d)
tx = env['payment.transaction'].browse(%d)
refund = tx.wechatpay_refund_ids
note = refund.credit_note_id
invoice = tx.wechatpay_payment_id.invoice_ids.filtered(
    lambda i: i.type == 'out_invoice')
env.cr.execute('''SELECT count(*) FROM (SELECT move_id FROM account_move_line
    GROUP BY move_id HAVING round(sum(debit) - sum(credit), 2) != 0) t''')
unbalanced = env.cr.fetchone()[0]
print(json.dumps({
    'registration': [registration.state, registration.mp_stage,
                     registration.mp_payment_state,
                     registration.mp_refunded_fen],
    'order': registration.sale_order_id.state,
    'refunds': [(r.state, r.amount_fen, r.destination) for r in refund],
    'note': [note.type, note.state, note.amount_total, note.residual,
             note.partner_id.id, note.refund_invoice_id == invoice,
             note.move_id.state, note.journal_id.type],
    'payment': [refund.payment_id.payment_type, refund.payment_id.state,
                refund.payment_id.amount],
    'invoice': [invoice.state, invoice.residual],
    'unbalanced': unbalanced,
}))
"""


BOOKED_CREDIT_NOTE = """
SELECT i.state FROM wechatpay_refund r
JOIN account_invoice i ON i.id = r.credit_note_id
WHERE r.transaction_id = %s AND r.state = 'succeeded' AND i.state = 'paid'
"""


def test_cancel_refunds_to_a_posted_credit_note(odoo_server, sim):
    tag = "Cancel%d" % (time.time() * 1000)
    # Full refund (Odoo's refund of the invoice) and, with a schedule
    # giving back half this far ahead, a partial one (a one-line credit
    # note).
    full, half = make_events(
        {"name": tag + " full", "capacity": 5, "mp_fee_fen": 2500},
        {"name": tag + " half", "capacity": 5, "mp_fee_fen": 3001,
         "refund_rules": [{"days_before": 1, "percent": 50},
                          {"days_before": 0, "percent": 0}]})
    for event, fee, percent, refunded in ((full, 2500, 100, 2500),
                                          (half, 3001, 50, 1500)):
        auth, partner_id = login(odoo_server, sim, "canceller-%s-%d" % (
            tag, event["id"]))
        registration, payment = join_and_pay(odoo_server, sim, auth,
                                             event["id"], fee)
        assert registration["can_cancel"], registration
        assert registration["refund_percent"] == percent, registration
        path = "registrations/%d" % registration["id"]
        cancelled = ok(api("POST", odoo_server, path + "/cancel", auth,
                           json={"reason": "Cannot come"}))
        assert cancelled["stage"] == "cancelled", cancelled
        assert cancelled["payment_state"] == "refunded", cancelled
        assert cancelled["refunded_fen"] == refunded, cancelled
        assert not cancelled["can_cancel"]
        assert error_code(api("POST", odoo_server, path + "/cancel", auth,
                              json={}), 409) == "cancelled"
        listed = ok(api("GET", odoo_server, "events/%d" % event["id"],
                        auth))
        assert listed["taken"] == 0 and listed["my_registration"] is None
        # The job sends the refund, WeChat notifies, Odoo books it.
        tx_id = payment["transaction_id"]
        booked = wait_for(lambda: sql(BOOKED_CREDIT_NOTE, [tx_id]),
                          timeout=90)
        assert booked, "no booked credit note: refunds %s" % sql(
            "SELECT state, error FROM wechatpay_refund WHERE"
            " transaction_id = %s", [payment["transaction_id"]])
        [refund_no] = [row[0] for row in sql(
            "SELECT name FROM wechatpay_refund WHERE transaction_id = %s",
            [payment["transaction_id"]])]
        notifies = sim("GET", "notifies?kind=refund&key=" + refund_no)
        assert any(n["ok"] for n in notifies["notifies"]), notifies
        facts = json.loads(run_in_odoo(REFUND_FACTS % (
            registration["id"], payment["transaction_id"])))
        amount = refunded / 100.0
        assert facts == {
            "registration": ["cancel", "cancelled", "refunded", refunded],
            "order": "sale",
            "refunds": [["succeeded", refunded, "original"]],
            "note": ["out_refund", "paid", amount, 0.0, partner_id, True,
                     "posted", "sale"],
            "payment": ["outbound", "posted", amount],
            "invoice": ["paid", 0.0],
            "unbalanced": 0,
        }, facts
