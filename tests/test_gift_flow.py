# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A gift lottery from purchase to claim, over HTTP on a real server in
workers mode, WeChat Pay on the simulator: the buyer pays two items and
shares a full-3 lottery; three friends join, the third join draws; the
draw is recomputed here from what the verify endpoint publishes; a winner
claims and is shipped to; the other lets the claim lapse and the prize
passes to the next in the ranking. A timed lottery with one joiner for
three items gives the two others back to the buyer: refunded through
WeChat to a paid credit note, the books balanced.
"""
import hashlib
import json
import time

import psycopg2

from conftest import DB, run_in_odoo
from test_auction_flow import unbalanced_moves
from test_event_flow import api, error_code, login, ok, sql, wait_for

MAKE_GIFT = """
import json
product = env['product.product'].create({
    'name': %r, 'type': 'consu', 'list_price': 19.9, 'gift_ok': True,
    'gift_home': True, 'invoice_policy': 'order', 'taxes_id': [(6, 0, [])],
})
env.cr.commit()
print(json.dumps(product.id))
"""

ADDRESS = {"name": "李雷", "phone": "13912345678", "province": "广东省",
           "city": "深圳市", "district": "南山区", "detail": "科技园 8 栋"}


def iso_in(minutes):
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00",
                         time.gmtime(time.time() + 60 * minutes))


def buy(server, sim, auth, gift_id, **values):
    """Create a lottery and pay it through WeChat as the buyer; its
    detail once open."""
    created = ok(api("POST", server, "gift_lotteries", auth, json=dict(
        {"product_id": gift_id, "wish": "Cheers"}, **values)))
    assert created["state"] == "draft", created
    path = "gift_lotteries/%d" % created["id"]
    payment = ok(api("POST", server, path + "/pay", auth, json={}))
    assert payment["amount_fen"] == 1990 * values["quantity"], payment
    assert sim("POST", "pay", out_trade_no=payment["out_trade_no"])["ok"]
    detail = wait_for(lambda: [d for d in [ok(api("GET", server, path,
                                                  auth))]
                               if d["state"] == "open"])
    assert detail, "the lottery did not open after WeChat's notify"
    return detail[0]


def run_cron(model, method):
    run_in_odoo("env[%r].%s(); env.cr.commit()" % (model, method))


def test_purchase_share_join_draw_verify_claim_and_ship(odoo_server, sim):
    tag = "Gift%d" % (time.time() * 1000)
    gift_id = json.loads(run_in_odoo(MAKE_GIFT % (tag + " tea")))
    buyer, _buyer_id = login(odoo_server, sim, tag + "-buyer")
    listed = ok(api("GET", odoo_server, "gifts?search=%s" % tag, buyer))
    assert [g["id"] for g in listed["items"]] == [gift_id], listed
    lottery = buy(odoo_server, sim, buyer, gift_id, quantity=2,
                  method="full", full_count=3, unclaimed="next")
    token = lottery["token"]
    commitment = lottery["seed_hash"]

    friends = [login(odoo_server, sim, "%s-friend%d" % (tag, n))
               for n in range(4)]
    check = ok(api("GET", odoo_server, "gift_shares/check?token=" + token,
                   friends[0][0]))
    assert check["status"] == "can_join", check
    assert check["lottery"]["buyer"]["name"], check
    assert ok(api("GET", odoo_server, "gift_shares/check?token=" + token,
                  buyer))["status"] == "own"
    for auth, _partner in friends[:3]:
        joined = ok(api("POST", odoo_server, "gift_shares/join", auth,
                        json={"token": token}))
    assert joined["lottery"]["state"] == "drawn", joined
    error_code(api("POST", odoo_server, "gift_shares/join", friends[3][0],
                   json={"token": token}), 409)

    # Anyone recomputes the draw from what was published.
    proof = ok(api("GET", odoo_server, "gift_shares/verify?token=" + token,
                   friends[3][0]))
    assert proof["verified"], proof
    seed, tickets = proof["seed"], proof["tickets"].split("\n")
    assert hashlib.sha256(seed.encode()).hexdigest() == commitment
    assert hashlib.sha256(proof["tickets"].encode()).hexdigest() == \
        proof["joiners_hash"]
    ranking = sorted(tickets, key=lambda t: (hashlib.sha256(
        ("%s:%s" % (seed, t)).encode()).digest(), t))
    assert [w["ticket"] for w in proof["winners"]] == ranking[:2], proof

    results = {}
    for auth, partner_id in friends[:3]:
        body = ok(api("GET", odoo_server, "gift_shares/check?token=" + token,
                      auth))
        assert body["status"] == "drawn", body
        results[body["entry"]["ticket"]] = (auth, partner_id, body)
    first = results[ranking[0]]
    second = results[ranking[1]]
    third = results[ranking[2]]
    assert first[2]["prize"]["state"] == "to_claim"
    assert third[2]["prize"] is None and third[2]["entry"]["state"] == \
        "lost"

    # The first claims; another user cannot claim it.
    prize_id = first[2]["prize"]["id"]
    error_code(api("POST", odoo_server, "gift_prizes/%d/claim" % prize_id,
                   third[0], json=ADDRESS), 404)
    claimed = ok(api("POST", odoo_server, "gift_prizes/%d/claim" % prize_id,
                     first[0], json=ADDRESS))
    assert claimed["state"] == "claimed" and "南山区" in claimed["address"]
    [(picking_state, picking_partner_parent)] = sql(
        "SELECT s.state, p.parent_id FROM gift_lottery_prize z"
        " JOIN stock_picking s ON s.id = z.picking_id"
        " JOIN res_partner p ON p.id = s.partner_id WHERE z.id = %s",
        [prize_id])
    assert picking_state in ("confirmed", "assigned") and \
        picking_partner_parent == first[1]
    run_in_odoo("prize = env['gift.lottery.prize'].browse(%d);"
                " prize.write({'carrier': 'SF', 'tracking_ref': 'SF42'});"
                " prize.action_ship(); env.cr.commit()" % prize_id)
    shipped = ok(api("GET", odoo_server, "gift_prizes/%d" % prize_id,
                     first[0]))
    assert shipped["state"] == "shipped", shipped
    assert shipped["tracking_ref"] == "SF42", shipped

    # The second lets the claim lapse: the prize passes to the third.
    second_prize = second[2]["prize"]["id"]
    sql_update("UPDATE gift_lottery_prize SET claim_deadline = now() at"
               " time zone 'UTC' - interval '1 minute' WHERE id = %s",
               [second_prize])
    run_cron("gift.lottery.prize", "_cron_lapse")
    error_code(api("POST", odoo_server, "gift_prizes/%d/claim"
                   % second_prize, second[0], json=ADDRESS), 404)
    passed = ok(api("GET", odoo_server, "gift_shares/check?token=" + token,
                    third[0]))
    assert passed["entry"]["state"] == "won", passed
    assert passed["prize"]["id"] == second_prize, passed
    ok(api("POST", odoo_server, "gift_prizes/%d/claim" % second_prize,
           third[0], json=ADDRESS))

    # The buyer follows it all.
    mine = ok(api("GET", odoo_server, "gift_lotteries/%d" % lottery["id"],
                  buyer))
    assert sorted(p["state"] for p in mine["prizes"]) == ["claimed",
                                                          "shipped"]
    joiners = ok(api("GET", odoo_server, "gift_lotteries/%d/joiners"
                     % lottery["id"], buyer))
    assert joiners["total"] == 3 and all("*" in j["name"]
                                         for j in joiners["items"])


def sql_update(query, params):
    connection = psycopg2.connect(dbname=DB)
    try:
        with connection, connection.cursor() as cr:
            cr.execute(query, params)
    finally:
        connection.close()


RETURN_FACTS = """
SELECT r.state, r.amount_fen, i.type, i.state
FROM gift_lottery l
JOIN sale_order o ON o.id = l.sale_order_id
JOIN payment_transaction t ON t.sale_order_id = o.id AND t.state = 'done'
JOIN wechatpay_refund r ON r.transaction_id = t.id
LEFT JOIN account_invoice i ON i.id = r.credit_note_id
WHERE l.id = %s
"""


def test_items_nobody_won_are_refunded_to_the_buyer(odoo_server, sim):
    tag = "GiftBack%d" % (time.time() * 1000)
    gift_id = json.loads(run_in_odoo(MAKE_GIFT % (tag + " box")))
    buyer, _buyer_id = login(odoo_server, sim, tag + "-buyer")
    lottery = buy(odoo_server, sim, buyer, gift_id, quantity=3,
                  method="timed", draw_at=iso_in(30))
    friend, _friend_id = login(odoo_server, sim, tag + "-friend")
    ok(api("POST", odoo_server, "gift_shares/join", friend,
           json={"token": lottery["token"]}))
    sql_update("UPDATE gift_lottery SET draw_at = now() at time zone 'UTC'"
               " - interval '1 second' WHERE id = %s", [lottery["id"]])
    run_cron("gift.lottery", "_cron_close_due")
    detail = ok(api("GET", odoo_server, "gift_lotteries/%d" % lottery["id"],
                    buyer))
    assert detail["state"] == "drawn" and len(detail["prizes"]) == 1
    assert detail["refunded_fen"] == 2 * 1990, detail
    facts = wait_for(lambda: [row for row in sql(RETURN_FACTS,
                                                 [lottery["id"]])
                              if row[0] == "succeeded" and row[3] == "paid"],
                     timeout=90)
    assert facts == [("succeeded", 3980, "out_refund", "paid")], sql(
        RETURN_FACTS, [lottery["id"]])
    assert not unbalanced_moves()
