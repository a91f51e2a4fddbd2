# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib

from odoo.addons.gift_lottery.draw import rank_tickets, tickets_hash

from .common import GiftCase, utc_in


class TestJoinAndDraw(GiftCase):

    def test_check_tells_each_caller_what_they_may_do(self):
        lottery = self.paid_lottery(method="full", full_count=3, quantity=2)
        self.assertEqual(self.check(lottery, "alice")["status"], "own")
        self.assertEqual(self.check(lottery, "bob")["status"], "can_join")
        body = self.join(lottery, "bob")
        self.assertEqual(body["status"], "joined")
        self.assertEqual(body["entry"]["sequence"], 1)
        self.assertEqual(self.check(lottery, "bob")["status"], "joined")
        self.join(lottery, "bob", 409, "joined")
        self.join(lottery, "alice", 409, "own")
        self.join(lottery, "carol")
        self.join(lottery, "dave")  # the third: drawn now
        self.assertEqual(lottery.state, "drawn")
        self.assertEqual(self.check(lottery, "bob")["status"], "drawn")
        self.assertEqual(self.check(lottery, "erin")["status"], "drawn")
        self.join(lottery, "erin", 409, "drawn")
        unknown = self.api("GET", "gift_shares/check?token=%s" % ("x" * 32),
                           token=self.user("bob")[0])
        self.assertError(unknown, 404)
        self.assertError(self.api("GET", "gift_shares/check?token=a'--",
                                  token=self.user("bob")[0]), 400)

    def test_full_n_draws_on_the_nth_join_and_the_draw_verifies(self):
        lottery = self.paid_lottery(method="full", full_count=4, quantity=2)
        before = self.api("GET", "gift_shares/verify?token=%s"
                          % lottery.share_token,
                          token=self.user("bob")[0]).json()
        self.assertIsNone(before["seed"])  # secret until the draw
        self.assertFalse(before["verified"])
        for name in ("bob", "carol", "dave"):
            self.join(lottery, name)
            self.assertEqual(lottery.state, "open")
        last = self.join(lottery, "erin")
        self.assertEqual(lottery.state, "drawn")
        self.assertEqual(lottery.join_count, 4)
        self.assertIn(last["entry"]["state"], ("won", "lost"))
        self.assertEqual(len(lottery.prize_ids), 2)
        self.assertEqual(sorted(lottery.entry_ids.mapped("rank")),
                         [1, 2, 3, 4])
        proof = self.api("GET", "gift_shares/verify?token=%s"
                         % lottery.share_token,
                         token=self.user("bob")[0]).json()
        self.assertTrue(proof["verified"])
        # Recomputed here from what was published, not from our code's
        # database: the seed matches its hash, the list its hash, the
        # winners the rule.
        seed = proof["seed"]
        self.assertEqual(hashlib.sha256(seed.encode()).hexdigest(),
                         before["seed_hash"])
        tickets = proof["tickets"].split("\n")
        self.assertEqual(len(tickets), 4)
        self.assertEqual(hashlib.sha256(proof["tickets"].encode())
                         .hexdigest(), proof["joiners_hash"])
        keyed = sorted(tickets, key=lambda t: (hashlib.sha256(
            ("%s:%s" % (seed, t)).encode()).digest(), t))
        self.assertEqual([w["ticket"] for w in proof["winners"]], keyed[:2])
        self.assertEqual(rank_tickets(seed, tickets)[:2], keyed[:2])
        winners = lottery.prize_ids.mapped("entry_id.ticket")
        self.assertEqual(sorted(winners), sorted(keyed[:2]))
        # A tampered record no longer verifies.
        lottery.entry_ids.filtered(lambda e: e.rank == 1).ticket = "0" * 10
        self.assertFalse(lottery._verify()["verified"])

    def test_timed_lottery_joins_before_its_time_and_the_cron_draws(self):
        lottery = self.paid_lottery(quantity=1)
        for name in ("bob", "carol", "dave"):
            self.join(lottery, name)
        self.assertEqual(self.env["gift.lottery"]._cron_close_due(
            auto_commit=False), 0)
        lottery.sudo().draw_at = utc_in(seconds=-1)
        self.join(lottery, "erin", 409, "closed")
        self.assertEqual(self.check(lottery, "erin")["status"], "closed")
        self.env["gift.lottery"]._cron_close_due(auto_commit=False)
        self.assertEqual(lottery.state, "drawn")
        self.assertEqual(len(lottery.prize_ids), 1)
        self.assertEqual(lottery.entry_ids.mapped("state").count("won"), 1)
        self.assertTrue(lottery._verify()["verified"])
        self.assertFalse(self.refunds(lottery))
        # Drawing again changes nothing.
        self.assertEqual(self.env["gift.lottery"]._cron_close_due(
            auto_commit=False), 0)

    def test_direct_gift_hands_out_exactly_its_items(self):
        lottery = self.paid_lottery(method="direct", quantity=2)
        first = self.join(lottery, "bob")
        self.assertEqual(first["entry"]["state"], "won")
        self.assertEqual(first["prize"]["state"], "to_claim")
        self.join(lottery, "carol")
        self.assertEqual(lottery.state, "drawn")
        self.join(lottery, "dave", 409, "drawn")
        self.assertEqual(len(lottery.prize_ids), 2)
        self.assertEqual(lottery.given_count, 2)
        self.assertTrue(lottery._verify()["verified"])

    def test_nobody_joined_refunds_the_buyer(self):
        lottery = self.paid_lottery(quantity=2)
        lottery.sudo().draw_at = utc_in(seconds=-1)
        self.env["gift.lottery"]._cron_close_due(auto_commit=False)
        self.assertEqual(lottery.state, "cancel")
        self.assertEqual(lottery.refunded_fen, 3980)
        self.assertEqual(self.refunds(lottery).mapped("amount_fen"), [3980])

    def test_fewer_joiners_than_items_returns_the_rest(self):
        lottery = self.paid_lottery(quantity=3)
        self.join(lottery, "bob")
        lottery.sudo().draw_at = utc_in(seconds=-1)
        self.env["gift.lottery"]._cron_close_due(auto_commit=False)
        self.assertEqual(lottery.state, "drawn")
        self.assertEqual(len(lottery.prize_ids), 1)
        self.assertEqual(lottery.returned_count, 2)
        self.assertEqual(self.refunds(lottery).mapped("amount_fen"), [3980])
        self.send_refund(self.refunds(lottery))
        self.wait_notify("refund", self.refunds(lottery).name)
        self.assertBooksBalance()

    def test_full_n_deadline_fallbacks(self):
        draw = self.paid_lottery(method="full", full_count=5, quantity=1,
                                 fallback="draw")
        refund = self.paid_lottery(method="full", full_count=5, quantity=1,
                                   fallback="refund")
        for lottery in (draw, refund):
            self.join(lottery, "bob")
            self.join(lottery, "carol")
            lottery.sudo().deadline = utc_in(seconds=-1)
        self.env["gift.lottery"]._cron_close_due(auto_commit=False)
        self.assertEqual(draw.state, "drawn")
        self.assertEqual(len(draw.prize_ids), 1)
        self.assertFalse(self.refunds(draw))
        self.assertEqual(refund.state, "cancel")
        self.assertFalse(refund.prize_ids)
        self.assertEqual(self.refunds(refund).mapped("amount_fen"), [1990])
        self.assertEqual(set(refund.entry_ids.mapped("state")), {"lost"})

    def test_direct_gift_deadline_returns_what_is_left(self):
        lottery = self.paid_lottery(method="direct", quantity=3)
        self.join(lottery, "bob")
        lottery.sudo().deadline = utc_in(seconds=-1)
        self.join(lottery, "carol", 409, "closed")
        self.env["gift.lottery"]._cron_close_due(auto_commit=False)
        self.assertEqual(lottery.state, "drawn")
        self.assertEqual(lottery.returned_count, 2)
        self.assertEqual(self.refunds(lottery).mapped("amount_fen"), [3980])

    def test_consent_is_recorded_and_results_are_sent_to_who_asked(self):
        lottery = self.paid_lottery(method="full", full_count=2, quantity=1)
        for code in ("gift_won", "gift_lost"):
            if not self.env["mp.subscribe.template"].search([
                    ("event_code", "=", code),
                    ("company_id", "=", self.company.id)]):
                self.env["mp.subscribe.template"].create({
                    "name": code, "event_code": code,
                    "template_id": "demo-tpl-%s" % code.replace("_", "-"),
                    "company_id": self.company.id})
        self.join(lottery, "bob", subscribe={"demo-tpl-gift-won": "accept",
                                             "demo-tpl-gift-lost": "accept"})
        self.join(lottery, "carol",
                  subscribe={"demo-tpl-gift-won": "reject"})
        bob = self.user("bob")[1]
        consents = self.env["mp.subscribe.consent"].search(
            [("partner_id", "=", bob.id)])
        self.assertEqual(sorted(consents.mapped("template_id")),
                         ["demo-tpl-gift-lost", "demo-tpl-gift-won"])
        self.assertEqual(lottery.entry_ids.filtered("notify").partner_id,
                         bob)
        sent = self.env["gift.lottery.entry"]._cron_notify_results()
        self.assertEqual(sent, 1)
        self.assertEqual(self.env["gift.lottery.entry"]
                         ._cron_notify_results(), 0)
        message = self.env["mp.subscribe.message"].search(
            [("partner_id", "=", bob.id)])
        self.assertEqual(len(message), 1)
        self.assertIn(message.event_code, ("gift_won", "gift_lost"))

    def test_ranking_rule_is_stable(self):
        tickets = ["a1", "b2", "c3"]
        self.assertEqual(sorted(rank_tickets("seed", tickets)),
                         sorted(tickets))
        self.assertEqual(rank_tickets("seed", tickets),
                         rank_tickets("seed", list(reversed(tickets))))
        self.assertEqual(tickets_hash(["a", "b"]),
                         hashlib.sha256(b"a\nb").hexdigest())
