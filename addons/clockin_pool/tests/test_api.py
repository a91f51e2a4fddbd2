# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.addons.base_wechat_miniprogram.exceptions import MpConflict

from .common import ClockinCase, utc_in


class TestApi(ClockinCase):

    def join(self, token, method="wechatpay", status=200):
        response = self.api("POST", "clockin/join", token=token,
                            json={"method": method})
        self.assertEqual(response.status_code, status, response.text)
        return response.json()

    def pay_join(self, token):
        """Join and pay by WeChat Pay on the simulator; the entry."""
        body = self.join(token)
        tx = self.env["payment.transaction"].browse(
            body["payment"]["transaction_id"])
        self.pay_as_user(tx)
        self.wait_notify("pay", tx.wechatpay_out_trade_no)
        return self.Entry.browse(body["id"])

    def clock(self, token, status=200, code=None):
        response = self.api("POST", "clockin/clock", token=token)
        if status != 200:
            self.assertError(response, status, code)
        else:
            self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def test_rules_say_how_money_moves(self):
        response = self.api("GET", "clockin/rules",
                            token=self.alice["token"])
        self.assertEqual(response.status_code, 200, response.text)
        rules = response.json()
        self.assertEqual((rules["stake_fen"], rules["window_start"],
                          rules["window_end"], rules["settle_time"],
                          rules["time_zone"]),
                         (100, "05:00", "08:00", "08:05", "Asia/Shanghai"))
        self.assertEqual(rules["nobody_clocked_in"], "refund")
        self.assertEqual(rules["next_round"]["id"], self.round.id)
        self.assertError(self.api("GET", "clockin/rules"), 401)

    def test_join_pay_clock_in_and_open_the_envelope(self):
        account = self.company._clockin_stake_account()
        opening = self.account_balance(account)
        entry = self.pay_join(self.alice["token"])
        self.assertEqual(entry.state, "paid")
        self.assertEqual(self.account_balance(account) - opening, -1.0)
        self.assertEqual(self.join(self.alice["token"], status=409)[
            "error"]["code"], "already_joined")
        bob_token, bob = self.user("bob")
        self.fund(bob, 100)
        self.assertEqual(self.join(bob_token, "wallet")["state"], "paid")
        carol_token, _carol = self.user("carol")
        self.assertEqual(self.join(carol_token, "wallet", 409)[
            "error"]["code"], "insufficient_balance")
        self.assertEqual(self.clock(self.alice["token"], 409, "too_early")[
            "error"]["code"], "too_early")
        self.in_window()
        summary = self.api("GET", "clockin/summary",
                           token=self.alice["token"]).json()
        self.assertEqual((summary["status"], summary["participants"],
                          summary["pool_fen"], summary["window_open"]),
                         ("joined", 2, 200, True))
        clocked = self.clock(self.alice["token"])
        self.assertEqual((clocked["state"], clocked["rank"]),
                         ("clocked", 1))
        self.clock(self.alice["token"], 409, "already")
        self.clock(carol_token, 409, "not_joined")
        check = self.api("GET", "clockin/check",
                         token=self.alice["token"]).json()
        self.assertTrue(check["clocked_in"])
        self.after_window()
        self.clock(bob_token, 409, "too_late")
        self.round._settle(auto_commit=False)
        [envelope] = self.round.allocation_ids
        self.assertEqual((envelope.partner_id, envelope.amount_fen),
                         (self.alice_partner, 200))
        listed = self.api("GET", "clockin_envelopes",
                          token=self.alice["token"]).json()
        self.assertEqual(listed["items"][0]["amount_fen"], None)  # sealed
        self.assertError(self.api(
            "POST", "clockin_envelopes/%d/open" % envelope.id,
            token=bob_token), 404)
        opened = self.api("POST", "clockin_envelopes/%d/open" % envelope.id,
                          token=self.alice["token"])
        self.assertEqual(opened.status_code, 200, opened.text)
        self.assertEqual(opened.json()["amount_fen"], 200)
        payout = envelope.payout_id
        self.assertEqual((payout.amount_fen, payout.debit_account_id),
                         (200, self.company.clockin_prize_account_id))
        again = self.api("POST", "clockin_envelopes/%d/open" % envelope.id,
                         token=self.alice["token"]).json()
        self.assertEqual(again["amount_fen"], 200)
        self.assertEqual(self.env["wechatpay.payout"].search_count([
            ("origin", "=", "clockin.allocation,%d" % envelope.id)]), 1)
        self.perform_jobs("_send")
        self.assertEqual(payout.state, "done")
        self.assertFalse(self.unbalanced_moves())
        board = self.api("GET", "clockin/leaderboard?kind=luckiest",
                         token=bob_token).json()
        self.assertEqual(board["items"][0]["value"], 100)
        self.assertIn("*", board["items"][0]["name"])

    def test_failed_clock_ins_are_logged_with_their_reason(self):
        Attempt = self.env["clockin.attempt"]
        for reason in ("not_joined",):
            with self.assertRaises(MpConflict):
                self.Entry._mp_clock(self.alice_partner, self.company)
            self.assertEqual(Attempt.search(
                [("partner_id", "=", self.alice_partner.id)],
                limit=1).result, reason)
        entry = self.entrants(1, clocked=0)
        with self.assertRaises(MpConflict):
            self.Entry._mp_clock(entry.partner_id, self.company)
        self.assertEqual(Attempt.search(
            [("partner_id", "=", entry.partner_id.id)], limit=1).result,
            "too_early")

    def test_risk_hook_blocks_flagged_accounts(self):
        self.fund(self.alice_partner, 100)
        self.join(self.alice["token"], "wallet")
        bob_token, bob = self.user("bob")
        self.fund(bob, 100)
        self.join(bob_token, "wallet")
        self.in_window()
        self.company.clockin_risk_rank = 3
        self.sim.call("POST", "risk-rank", openid=self.alice_partner.mp_openid,
                      risk_rank=4)
        self.clock(self.alice["token"], 403, "risk_blocked")
        self.sim.call("POST", "risk-rank", openid=bob.mp_openid, risk_rank=2)
        self.assertEqual(self.clock(bob_token)["state"], "clocked")

    def test_unpaid_entry_is_released_by_the_cancelled_payment(self):
        body = self.join(self.alice["token"])
        entry = self.Entry.browse(body["id"])
        order = entry.order_id
        order._wechatpay_payment_cancelled(
            self.env["payment.transaction"].browse(
                body["payment"]["transaction_id"]))
        self.assertEqual(entry.state, "cancelled")
        self.assertEqual(order.state, "cancel")
        # ...and the user may join again.
        self.fund(self.alice_partner, 100)
        self.assertEqual(self.join(self.alice["token"], "wallet")["state"],
                         "paid")

    def test_refunds_and_unopened_envelopes(self):
        self.fund(self.alice_partner, 100)
        self.join(self.alice["token"], "wallet")
        wallet = self.env["wechatpay.wallet"]._of(self.alice_partner,
                                                  self.company)
        self.assertEqual(wallet.balance_fen, 0)
        self.settle()
        mine = self.Entry.search([("partner_id", "=", self.alice_partner.id),
                                  ("round_id", "=", self.round.id)])
        self.assertEqual(mine.state, "refund_due")
        # Other rounds' refunds due (the demo's) may be in the batch too.
        self.assertGreaterEqual(
            self.Entry._cron_return_stakes(auto_commit=False), 1)
        self.assertEqual(mine.state, "refunded")
        self.assertEqual(wallet.balance_fen, 100)
        # An envelope left sealed goes to the wallet after N days.
        entries = self.entrants(3, clocked=2, rnd=self.round.copy({
            "day": "2000-01-01", "state": "open"}))
        rnd = entries[0].round_id
        self.settle(rnd)
        rnd.settled_at = "2000-01-02 00:00:00"
        self.assertGreaterEqual(
            self.env["clockin.allocation"]._cron_credit_unopened(
                auto_commit=False), 2)
        self.assertEqual(set(rnd.allocation_ids.mapped("state")),
                         {"credited"})
        self.assertEqual(set(rnd.allocation_ids.mapped("payout_id.state")),
                         {"wallet"})
        self.assertFalse(self.unbalanced_moves())

    def test_reminders_only_to_consenting_users(self):
        template = self.env["mp.subscribe.template"].search([
            ("event_code", "=", "clockin_remind"),
            ("company_id", "=", self.company.id)]) or \
            self.env["mp.subscribe.template"].create({
                "name": "Reminder", "event_code": "clockin_remind",
                "template_id": "tpl-remind-test",
                "company_id": self.company.id})
        bob_token, bob = self.user("bob")
        for partner in (self.alice_partner, bob):
            self.fund(partner, 100)
        self.join(self.alice["token"], "wallet")
        self.join(bob_token, "wallet")
        self.env["mp.subscribe.consent"]._report(
            self.alice_partner, {template.template_id: "accept"})
        self.round.write({"window_start": utc_in(minutes=10)})
        self.assertEqual(self.Entry._cron_remind(auto_commit=False), 1)
        self.assertEqual(self.Entry._cron_remind(auto_commit=False), 0)
        messages = self.env["mp.subscribe.message"].search(
            [("event_code", "=", "clockin_remind")])
        self.assertEqual(messages.mapped("partner_id"), self.alice_partner)
        off = self.api("POST", "clockin/remind", token=bob_token,
                       json={"on": False})
        self.assertEqual(off.json(), {"reminder": False})
