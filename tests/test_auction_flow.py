# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Auctions end to end, on a real server in workers mode.

Two mini-program users pay a lot's deposit through WeChat Pay (the
simulator) and bid on it; the lot ends (the cron, run as Odoo runs it),
the loser's deposit comes back as a posted credit note once WeChat's
refund notify arrives, and the winner claims a coupon, pays the rest of
the order with the deposit and the coupon applied, and confirms receipt
after the staff shipped it.
"""
import json
import time
import uuid

from conftest import run_in_odoo
from test_event_flow import api, error_code, login, ok, sql, wait_for

MAKE_AUCTION = """
import datetime, json
from odoo import fields


def utc_in(**delta):
    return fields.Datetime.to_string(
        datetime.datetime.utcnow() + datetime.timedelta(**delta))


spec = json.loads(%r)
values = {
    'published': True,
    'preview_start': utc_in(days=-2), 'preview_end': utc_in(hours=-1),
    'bidding_start': utc_in(hours=-1), 'bidding_end': utc_in(hours=2),
    'increment_ids': [(0, 0, {'from_fen': start, 'increment_fen': step})
                      for start, step in spec['increments']],
}
values.update(spec['session'])
session = env['auction.session'].create(values)
lots = []
for lot_values in spec['lots']:
    ends_in = lot_values.pop('ends_in_minutes', None)
    if ends_in is not None:
        lot_values['end_at'] = utc_in(minutes=ends_in)
    lots.append(env['auction.lot'].create(dict(
        lot_values, session_id=session.id)))
coupons = [env['auction.coupon'].create(dict(
    {'claim_start': utc_in(hours=-1), 'claim_end': utc_in(days=1)},
    session_id=session.id, **coupon)) for coupon in spec['coupons']]
env.cr.commit()
print(json.dumps({
    'session': session.id,
    'lots': [{'id': lot.id, 'end_at': lot.end_at} for lot in lots],
    'coupons': [coupon.id for coupon in coupons],
}))
"""

#: The ladder of the tests' sessions: 10 CNY up to 1,000, 50 up to
#: 2,000, then 100 (in fen).
LADDER = [(0, 1000), (100000, 5000), (200000, 10000)]


def make_auction(session, lots, coupons=(), increments=LADDER):
    """A published session bidding now (committed) with its own increment
    ladder, its lots (``ends_in_minutes`` sets a lot's end) and coupons
    claimable now; the ids and the lots' ends (naive UTC)."""
    return json.loads(run_in_odoo(MAKE_AUCTION % json.dumps({
        "session": session, "lots": list(lots), "coupons": list(coupons),
        "increments": list(increments)})))


def bid(server, auth, lot_id, amount_fen, key=None):
    return api("POST", server, "auction_lots/%d/bid" % lot_id, auth,
               json={"amount_fen": amount_fen,
                     "key": key or uuid.uuid4().hex})


def pay_deposit(server, sim, auth, session_id, lot_id, amount_fen):
    """Pay a lot's deposit through WeChat as the user; the deposit once
    the pay notify made it paid."""
    opened = ok(api("POST", server, "auction_deposits", auth,
                    json={"session_id": session_id, "lot_id": lot_id}))
    assert (opened["state"], opened["method"], opened["amount_fen"]) == (
        "pending", "wechatpay", amount_fen), opened
    payment = opened["payment"]
    assert payment["amount_fen"] == amount_fen and \
        payment["request_payment"]["paySign"], payment
    assert sim("POST", "pay", out_trade_no=payment["out_trade_no"])["ok"]

    def paid():
        mine = ok(api("GET", server, "auction_deposits", auth))["items"]
        return [d for d in mine if d["id"] == opened["id"] and
                d["state"] == "paid"]

    deposit = wait_for(paid)
    assert deposit, "the deposit %d was not paid after WeChat's notify: " \
        "%s" % (opened["id"], sql(
            "SELECT state FROM auction_deposit WHERE id = %s",
            [opened["id"]]))
    return deposit[0]


def deposit_account(session_id):
    """The deposits liability of the session's company (made on first
    use)."""
    [(account_id,)] = sql(
        "SELECT c.auction_deposit_account_id FROM auction_session s"
        " JOIN res_company c ON c.id = s.company_id WHERE s.id = %s",
        [session_id])
    assert account_id, "no deposits account after a paid deposit"
    return account_id


def unbalanced_moves():
    return sql("""
        SELECT move_id FROM account_move_line GROUP BY move_id
        HAVING round(sum(debit) - sum(credit), 2) != 0""")


def balance(account_id, partner_id):
    """Posted balance (debit - credit) of a partner on an account."""
    [(value,)] = sql("""
        SELECT COALESCE(round(sum(l.debit) - sum(l.credit), 2), 0)
        FROM account_move_line l JOIN account_move m ON m.id = l.move_id
        WHERE l.account_id = %s AND l.partner_id = %s
          AND m.state = 'posted'""", [account_id, partner_id])
    return float(value)


END_LOT = """
import datetime, json
from odoo import fields
lot = env['auction.lot'].browse(%d)
lot.end_at = fields.Datetime.to_string(
    datetime.datetime.utcnow() - datetime.timedelta(minutes=1))
env.cr.commit()
ended = env['auction.lot']._cron_end_lots()
env.cr.commit()
again = env['auction.lot']._cron_end_lots()
env.cr.commit()
lot.invalidate_cache()
deposits = env['auction.deposit'].search([('lot_id', '=', lot.id)])
print(json.dumps({
    'ended': ended, 'again': again, 'result': lot.result,
    'winner': lot.winner_id.id, 'hammer': lot.hammer_fen,
    'order': lot.order_id.id, 'order_state': lot.order_id.state,
    'amount_fen': lot.order_id.wechatpay_amount_fen,
    'due': bool(lot.order_id.auction_due_at),
    'deposits': {str(d.partner_id.id): d.state for d in deposits},
}))
"""

BOOKED_DEPOSIT_REFUND = """
SELECT i.state FROM auction_deposit d
JOIN wechatpay_refund r ON r.id = d.refund_id
JOIN account_invoice i ON i.id = r.credit_note_id
WHERE d.id = %s AND r.state = 'succeeded' AND i.state = 'paid'
"""

REFUND_FACTS = """
import json
env['auction.deposit']._cron_settle_refunds()
env.cr.commit()
deposit = env['auction.deposit'].browse(%d)
refund = deposit.refund_id
note = refund.credit_note_id
print(json.dumps({
    'deposit': deposit.state,
    'refund': [refund.state, refund.amount_fen, refund.destination],
    'note': [note.type, note.state, note.amount_total, note.residual,
             note.partner_id.id, note.move_id.state],
    'note_accounts': sorted(set(note.invoice_line_ids.mapped(
        'account_id.id'))),
    'payment': [refund.payment_id.payment_type, refund.payment_id.state,
                refund.payment_id.amount],
}))
"""

PAID_ORDER = """
SELECT 1 FROM sale_order o
JOIN payment_transaction t ON t.sale_order_id = o.id
JOIN account_invoice i ON i.id = t.wechatpay_invoice_id
WHERE o.id = %s AND o.state = 'sale' AND t.state = 'done'
  AND i.state = 'paid'
"""

ORDER_FACTS = """
import json
order = env['sale.order'].browse(%d)
tx = order.wechatpay_transaction_ids.filtered(lambda t: t.state == 'done')
invoice = tx.wechatpay_invoice_id
print(json.dumps({
    'order': order.state,
    'tx': [len(tx), tx.wechatpay_total_fee],
    'invoice': [invoice.type, invoice.state, invoice.amount_total,
                invoice.residual, invoice.partner_id.id],
    'lines': sorted([line.name, line.price_subtotal, line.account_id.id]
                    for line in invoice.invoice_line_ids),
    'deposits': [(d.state, d.applied_order_id.id) for d in
                 order.order_line.mapped('auction_deposit_id')],
    'coupons': [(c.state, c.order_id.id) for c in
                order.order_line.mapped('auction_coupon_id')],
}))
"""

SHIP = """
order = env['sale.order'].browse(%d)
order.write({'auction_carrier': 'SF Express',
             'auction_tracking': 'SF1234567890'})
order.action_auction_ship()
env.cr.commit()
"""


def test_deposit_bid_win_pay_ship_receive(odoo_server, sim):
    tag = "Auction%d" % (time.time() * 1000)
    made = make_auction(
        {"name": tag, "deposit_fen": 50000, "premium_percent": 10.0},
        [{"catalogue_no": "001", "name": tag + " plum blossoms",
          "start_fen": 100000, "reserve_fen": 150000,
          "deposit_fen": 20000}],
        [{"name": tag + " coupon", "amount_fen": 30000, "issued": 5}])
    session_id, lot_id = made["session"], made["lots"][0]["id"]
    [coupon_id] = made["coupons"]
    alice, alice_id = login(odoo_server, sim, "alice-" + tag)
    bob, bob_id = login(odoo_server, sim, "bob-" + tag)

    # Browse.
    sessions = ok(api("GET", odoo_server, "auction_sessions", alice,
                      params={"state": "bidding", "size": 100}))
    listed = [s for s in sessions["items"] if s["id"] == session_id]
    assert listed and listed[0]["title"] == tag, sessions
    assert listed[0]["deposit_fen"] == 50000
    lots = ok(api("GET", odoo_server, "auction_lots", alice,
                  params={"session_id": session_id}))
    assert [(lot["id"], lot["state"], lot["next_min_fen"])
            for lot in lots["items"]] == [(lot_id, "bidding", 100000)], lots
    detail = ok(api("GET", odoo_server, "auction_lots/%d" % lot_id, alice))
    assert not detail["my_deposit"] and not detail["my_leading"], detail
    assert detail["end_at"].endswith("+08:00"), detail

    # No bid without a deposit; each pays the lot's deposit by WeChat.
    assert error_code(bid(odoo_server, alice, lot_id, 100000),
                      403) == "no_deposit"
    alice_deposit = pay_deposit(odoo_server, sim, alice, session_id,
                                lot_id, 20000)
    bob_deposit = pay_deposit(odoo_server, sim, bob, session_id, lot_id,
                              20000)
    assert error_code(api("POST", odoo_server, "auction_deposits", bob,
                          json={"session_id": session_id,
                                "lot_id": lot_id}), 409) == "paid"
    assert ok(api("GET", odoo_server, "auction_lots/%d" % lot_id,
                  bob))["my_deposit"]
    # The deposits are money held: a liability, not income.
    # (The paid invoices are booked by a job.)
    liability = deposit_account(session_id)
    assert wait_for(lambda: balance(liability, alice_id) == -200.0 and
                    balance(liability, bob_id) == -200.0, timeout=90), (
        balance(liability, alice_id), balance(liability, bob_id))

    # Bidding.
    first = ok(bid(odoo_server, alice, lot_id, 100000))
    assert first["leading"] and first["current_fen"] == 100000, first
    assert error_code(bid(odoo_server, alice, lot_id, 110000),
                      409) == "leading"
    # 1,000 + 50 is the least now.
    assert error_code(bid(odoo_server, bob, lot_id, 100000),
                      409) == "too_low"
    assert error_code(bid(odoo_server, bob, lot_id, 104999),
                      409) == "too_low"
    bob_bid = ok(bid(odoo_server, bob, lot_id, 105000, key="bob-" + tag))
    assert bob_bid["leading"], bob_bid
    # The same request again answers the same bid and adds nothing.
    again = ok(bid(odoo_server, bob, lot_id, 105000, key="bob-" + tag))
    assert again["bid_id"] == bob_bid["bid_id"], again
    top = ok(bid(odoo_server, alice, lot_id, 160000))
    assert top["leading"] and top["current_fen"] == 160000, top
    detail = ok(api("GET", odoo_server, "auction_lots/%d" % lot_id, alice))
    assert (detail["current_fen"], detail["next_min_fen"],
            detail["bid_count"], detail["my_leading"]) == (
                160000, 165000, 3, True), detail
    history = ok(api("GET", odoo_server, "auction_lots/%d/bids" % lot_id,
                     bob))
    assert [(b["amount_fen"], b["mine"]) for b in history["items"]] == [
        (160000, False), (105000, True), (100000, False)], history
    assert all("*" in b["name"] for b in history["items"])

    # The lot ends: the cron records the winner and makes the order; the
    # loser's lot deposit goes back.
    ended = json.loads(run_in_odoo(END_LOT % lot_id))
    # (Lots of earlier runs past their end may be ended in the same run.)
    assert ended["ended"] >= 1, ended
    assert ended == {
        "ended": ended["ended"], "again": 0, "result": "sold",
        "winner": alice_id,
        "hammer": 160000, "order": ended["order"], "order_state": "draft",
        "amount_fen": 176000,  # + 10 % premium
        "due": True,
        "deposits": {str(alice_id): "paid", str(bob_id): "refunding"},
    }, ended
    order_id = ended["order"]
    detail = ok(api("GET", odoo_server, "auction_lots/%d" % lot_id, bob))
    assert (detail["state"], detail["hammer_fen"]) == ("sold", 160000)
    assert error_code(bid(odoo_server, bob, lot_id, 170000),
                      409) == "closed"

    # The refund job sends it, WeChat notifies, Odoo books a credit note.
    booked = wait_for(lambda: sql(BOOKED_DEPOSIT_REFUND, [bob_deposit[
        "id"]]), timeout=90)
    assert booked, "no booked refund of the loser's deposit: %s" % sql(
        "SELECT r.state, r.error FROM auction_deposit d JOIN "
        "wechatpay_refund r ON r.id = d.refund_id WHERE d.id = %s",
        [bob_deposit["id"]])
    facts = json.loads(run_in_odoo(REFUND_FACTS % bob_deposit["id"]))
    assert facts == {
        "deposit": "refunded",
        "refund": ["succeeded", 20000, "original"],
        "note": ["out_refund", "paid", 200.0, 0.0, bob_id, "posted"],
        "note_accounts": [liability],
        "payment": ["outbound", "posted", 200.0],
    }, facts
    assert balance(liability, bob_id) == 0.0
    mine = ok(api("GET", odoo_server, "auction_deposits", bob))["items"]
    assert [(d["id"], d["state"]) for d in mine] == [
        (bob_deposit["id"], "refunded")], mine

    # The winner's order, and a coupon of the session.
    orders = ok(api("GET", odoo_server, "auction_orders", alice))
    assert [(o["id"], o["lot_id"], o["amount_fen"]) for o in
            orders["unpaid"]] == [(order_id, lot_id, 176000)], orders
    assert orders["unpaid"][0]["due_at"], orders
    assert not any(ok(api("GET", odoo_server, "auction_orders",
                          bob)).values())
    coupons = ok(api("GET", odoo_server, "auction_coupons", alice,
                     params={"session_id": session_id}))
    assert [(c["id"], c["amount_fen"], c["left"]) for c in
            coupons["items"]] == [(coupon_id, 30000, 5)], coupons
    claimed = ok(api("POST", odoo_server,
                     "auction_coupons/%d/claim" % coupon_id, alice))
    assert (claimed["state"], claimed["amount_fen"]) == ("unused", 30000)
    assert error_code(api("POST", odoo_server,
                          "auction_coupons/%d/claim" % coupon_id, alice),
                      409) == "claimed"
    mine = ok(api("GET", odoo_server, "auction_coupons/mine", alice))
    assert [c["id"] for c in mine["items"]] == [claimed["id"]], mine

    # Pay the rest: 1,760 - 300 coupon - 200 deposit.
    payment = ok(api("POST", odoo_server, "auction_orders/%d/pay" % order_id,
                     alice, json={"coupon_id": claimed["id"]}))
    assert (payment["method"], payment["amount_fen"]) == (
        "wechatpay", 126000), payment
    assert sim("POST", "pay", out_trade_no=payment["out_trade_no"])["ok"]
    assert wait_for(lambda: sql(PAID_ORDER, [order_id]), timeout=90), \
        "the winner's order %d was not paid and invoiced: %s" % (
            order_id, sql("SELECT state FROM sale_order WHERE id = %s",
                          [order_id]))
    facts = json.loads(run_in_odoo(ORDER_FACTS % order_id))
    lines = facts.pop("lines")
    assert facts == {
        "order": "sale", "tx": [1, 126000],
        "invoice": ["out_invoice", "paid", 1260.0, 0.0, alice_id],
        "deposits": [["applied", order_id]],
        "coupons": [["used", order_id]],
    }, (facts, lines)
    # The invoice shows the deposit applied, on the deposits liability
    # (found by account: its label is translated).
    assert [amount for _name, amount, account in lines
            if account == liability] == [-200.0], lines
    assert sorted(amount for _n, amount, _a in lines) == [
        -300.0, -200.0, 160.0, 1600.0], lines
    # The deposit liability is cleared: paid in, applied out.
    assert balance(liability, alice_id) == 0.0
    assert ok(api("GET", odoo_server, "auction_coupons/mine",
                  alice))["items"][0]["state"] == "used"

    # Shipping and receipt.
    orders = ok(api("GET", odoo_server, "auction_orders", alice))
    assert [o["id"] for o in orders["awaiting_delivery"]] == [order_id]
    assert orders["awaiting_delivery"][0]["shipping"] == "awaiting"
    assert error_code(api("POST", odoo_server,
                          "auction_orders/%d/receive" % order_id, alice),
                      409) == "not_shipped"
    assert error_code(api("POST", odoo_server,
                          "auction_orders/%d/receive" % order_id, bob),
                      404) == "not_found"
    run_in_odoo(SHIP % order_id)
    shipped = ok(api("GET", odoo_server, "auction_orders",
                     alice))["awaiting_delivery"]
    assert [(o["id"], o["shipping"], o["carrier"], o["tracking"])
            for o in shipped] == [(order_id, "shipped", "SF Express",
                                   "SF1234567890")], shipped
    received = ok(api("POST", odoo_server,
                      "auction_orders/%d/receive" % order_id, alice))
    assert (received["group"], received["shipping"]) == ("done", "received")
    orders = ok(api("GET", odoo_server, "auction_orders", alice))
    assert [o["id"] for o in orders["done"]] == [order_id], orders
    assert not orders["unpaid"] and not orders["awaiting_delivery"]

    assert not unbalanced_moves()
    assert alice_deposit["lot_id"] == lot_id


def test_paying_again_answers_the_same_payment(odoo_server, sim):
    """The mini-program sends a pay request again when its answer was
    lost (wx.request retries): with the same coupon, the same payment."""
    tag = "AuctionAgain%d" % (time.time() * 1000)
    made = make_auction(
        {"name": tag, "deposit_fen": 50000},
        [{"catalogue_no": "001", "name": tag + " teapot",
          "start_fen": 100000, "deposit_fen": 20000}],
        [{"name": tag + " coupon", "amount_fen": 10000, "issued": 5}])
    session_id, lot_id = made["session"], made["lots"][0]["id"]
    auth, _partner_id = login(odoo_server, sim, "again-" + tag)
    pay_deposit(odoo_server, sim, auth, session_id, lot_id, 20000)
    ok(bid(odoo_server, auth, lot_id, 100000))
    order_id = json.loads(run_in_odoo(END_LOT % lot_id))["order"]
    coupon = ok(api("POST", odoo_server, "auction_coupons/%d/claim"
                    % made["coupons"][0], auth))
    path = "auction_orders/%d/pay" % order_id
    first = ok(api("POST", odoo_server, path, auth,
                   json={"coupon_id": coupon["id"]}))
    assert first["amount_fen"] == 100000 - 10000 - 20000, first
    # Without the coupon: the open WeChat order again.
    plain = ok(api("POST", odoo_server, path, auth, json={}))
    assert (plain["out_trade_no"], plain["amount_fen"]) == (
        first["out_trade_no"], first["amount_fen"]), (first, plain)
    # The same request again (the coupon is on this very order already).
    again = api("POST", odoo_server, path, auth,
                json={"coupon_id": coupon["id"]})
    assert again.status_code == 200, (
        "paying again with the coupon already applied to this order: "
        "%d %s" % (again.status_code, again.text))
    assert (again.json()["out_trade_no"], again.json()["amount_fen"]) == (
        first["out_trade_no"], first["amount_fen"]), (first, again.json())
