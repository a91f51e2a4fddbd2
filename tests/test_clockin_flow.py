# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Clock-in pools end to end, on a real server in workers mode.

Three users join today's round (moved to start in an hour): two pay the
stake through WeChat (the simulator), one from the wallet. The window is
moved around "now": two clock in, one does not, a user who never joined
is refused (and the refusal is logged). After the window the settlement
cron (as Odoo runs it) splits the missed stake between the two; the
first opens the envelope twice and one transfer reaches WeChat change on
the simulator. Every journal entry balances.
"""
import json
import time

from conftest import run_in_odoo
from test_event_flow import api, error_code, login, ok, sql, wait_for

#: Today's round of the main company, alone and joinable: a round of an
#: earlier run moves out of the way (to a day long past), other open
#: rounds stop taking entries, and payouts go to WeChat change above
#: 30 fen.
RESET_TODAY = """
import datetime, json
from odoo import fields
company = env.ref('base.main_company')
company.write({'clockin_enabled': True, 'clockin_stake_fen': 100,
               'clockin_fee_percent': 0.0, 'clockin_split_mode': 'random',
               'clockin_cap_fen': 0, 'clockin_risk_rank': 0,
               'clockin_tz': 'Asia/Shanghai'})
env.ref('payment_wechatpay.payment_acquirer_wechatpay').write({
    'wechatpay_payout_enabled': True, 'wechatpay_payout_min_fen': 30,
    'wechatpay_payout_daily_cap_fen': 10000000})
Round = env['clockin.round']
today = Round._local_today(company)
env.cr.execute(
    "UPDATE clockin_round SET day = day - (3000 + 400 * id)"
    " WHERE company_id = %%s AND day = %%s", [company.id, str(today)])
env.cr.execute(
    "UPDATE clockin_round SET state = 'settled', outcome = 'empty'"
    " WHERE company_id = %%s AND state = 'open'", [company.id])
Round.invalidate_cache()
rnd = Round._ensure(company, today)
now = datetime.datetime.utcnow()
rnd.write({'window_start': fields.Datetime.to_string(
               now + datetime.timedelta(hours=1)),
           'window_end': fields.Datetime.to_string(
               now + datetime.timedelta(hours=2)),
           'settle_at': fields.Datetime.to_string(
               now + datetime.timedelta(hours=3))})
for partner_id in %(fund)r:
    # Booked as a cash top-up, so the wallets add up to their account.
    partner = env['res.partner'].browse(partner_id)
    env['wechatpay.wallet']._of(partner, company)._credit(
        %(fen)d, 'refund', 'test',
        move=Round._demo_fund_move(company, partner, %(fen)d))
env.cr.commit()
print(json.dumps(rnd.id))
"""

#: Move the round's window: "window" (opened 5 minutes ago) or "after"
#: (closed, settlement due).
MOVE = """
import datetime
from odoo import fields
now = datetime.datetime.utcnow()
minutes = {'window': (-5, 30, 40), 'after': (-60, -10, -1)}[%r]
env['clockin.round'].browse(%d).write({
    key: fields.Datetime.to_string(now + datetime.timedelta(minutes=m))
    for key, m in zip(('window_start', 'window_end', 'settle_at'),
                      minutes)})
env.cr.commit()
"""

SETTLE = """
import json
settled = env['clockin.round']._cron_settle()
env.cr.commit()
again = env['clockin.round']._cron_settle()
env.cr.commit()
rnd = env['clockin.round'].browse(%d)
print(json.dumps({'settled': settled, 'again': again, 'state': rnd.state,
                  'outcome': rnd.outcome, 'pool': rnd.pool_fen,
                  'winners': rnd.winner_count, 'hash': rnd.allocation_hash,
                  'audit': rnd._audit(), 'move': rnd.move_id.state}))
"""


def reset_today(fund=(), fen=0):
    return json.loads(run_in_odoo(RESET_TODAY % {"fund": list(fund),
                                                 "fen": fen}))


def unbalanced_moves():
    return sql("""
        SELECT move_id FROM account_move_line GROUP BY move_id
        HAVING round(sum(debit) - sum(credit), 2) != 0""")


def pay_join(server, sim, auth):
    joined = ok(api("POST", server, "clockin/join", auth,
                    json={"method": "wechatpay"}))
    assert joined["state"] == "pending", joined
    payment = joined["payment"]
    assert payment["amount_fen"] == 100 and \
        payment["request_payment"]["paySign"], payment
    assert sim("POST", "pay", out_trade_no=payment["out_trade_no"])["ok"]
    paid = wait_for(lambda: sql(
        "SELECT state FROM clockin_entry WHERE id = %s AND state = 'paid'",
        [joined["id"]]))
    assert paid, "the entry %d was not paid after WeChat's notify" % \
        joined["id"]
    return joined


def test_join_pay_clock_in_settle_and_open(odoo_server, sim):
    tag = "Clock%d" % (time.time() * 1000)
    alice, _alice_id = login(odoo_server, sim, tag + "-alice")
    bob, bob_id = login(odoo_server, sim, tag + "-bob")
    carol, carol_id = login(odoo_server, sim, tag + "-carol")
    dave, dave_id = login(odoo_server, sim, tag + "-dave")
    round_id = reset_today(fund=[bob_id], fen=100)
    rules = ok(api("GET", odoo_server, "clockin/rules", alice))
    assert rules["next_round"]["id"] == round_id, rules

    pay_join(odoo_server, sim, alice)
    pay_join(odoo_server, sim, carol)
    by_wallet = ok(api("POST", odoo_server, "clockin/join", bob,
                       json={"method": "wallet"}))
    assert by_wallet["state"] == "paid", by_wallet
    assert error_code(api("POST", odoo_server, "clockin/join", alice,
                          json={"method": "wechatpay"}), 409) == \
        "already_joined"
    assert error_code(api("POST", odoo_server, "clockin/clock", alice),
                      409) == "too_early"

    run_in_odoo(MOVE % ("window", round_id))
    summary = ok(api("GET", odoo_server, "clockin/summary", alice))
    assert (summary["round_id"], summary["status"], summary["participants"],
            summary["pool_fen"], summary["window_open"]) == (
                round_id, "joined", 3, 300, True), summary
    assert ok(api("POST", odoo_server, "clockin/clock", alice))["rank"] == 1
    assert ok(api("POST", odoo_server, "clockin/clock", carol))["rank"] == 2
    assert error_code(api("POST", odoo_server, "clockin/clock", alice),
                      409) == "already"
    assert error_code(api("POST", odoo_server, "clockin/clock", dave),
                      409) == "not_joined"
    assert ok(api("GET", odoo_server, "clockin/check", carol))["clocked_in"]
    assert sql("SELECT result FROM clockin_attempt WHERE partner_id = %s",
               [dave_id]) == [("not_joined",)]
    earliest = ok(api("GET", odoo_server,
                      "clockin/leaderboard?kind=earliest", dave))["items"]
    assert len(earliest) == 2 and all("*" in i["name"] for i in earliest)

    run_in_odoo(MOVE % ("after", round_id))
    assert error_code(api("POST", odoo_server, "clockin/clock", bob),
                      409) == "too_late"
    settled = json.loads(run_in_odoo(SETTLE % round_id))
    assert (settled["state"], settled["outcome"], settled["pool"],
            settled["winners"], settled["audit"], settled["move"],
            settled["again"]) == ("settled", "split", 100, 2, [], "posted",
                                  0), settled
    assert len(settled["hash"]) == 64
    assert sql("SELECT state FROM clockin_entry WHERE partner_id = %s",
               [bob_id]) == [("missed",)]

    envelopes = ok(api("GET", odoo_server, "clockin_envelopes",
                       alice))["items"]
    assert len(envelopes) == 1 and envelopes[0]["amount_fen"] is None
    envelope_id = envelopes[0]["id"]
    assert error_code(api("POST", odoo_server, "clockin_envelopes/%d/open"
                          % envelope_id, carol), 404) == "not_found"
    opened = ok(api("POST", odoo_server,
                    "clockin_envelopes/%d/open" % envelope_id, alice))
    again = ok(api("POST", odoo_server,
                   "clockin_envelopes/%d/open" % envelope_id, alice))
    assert opened["amount_fen"] == again["amount_fen"] > 100, opened
    [(payout_no, amount)] = sql(
        "SELECT name, amount_fen FROM wechatpay_payout WHERE origin = %s",
        ["clockin.allocation,%d" % envelope_id])
    assert amount == opened["amount_fen"]
    transfers = wait_for(lambda: [
        t for t in sim("GET", "transfers")["transfers"]
        if t["partner_trade_no"] == payout_no])
    assert [t["amount"] for t in transfers] == [amount], transfers
    assert wait_for(lambda: sql(
        "SELECT 1 FROM wechatpay_payout WHERE name = %s AND state = 'done'",
        [payout_no]))
    summary = ok(api("GET", odoo_server, "clockin/summary", carol))
    assert summary["popup"], summary  # carol's envelope is still sealed
    assert not unbalanced_moves()
    assert carol_id
