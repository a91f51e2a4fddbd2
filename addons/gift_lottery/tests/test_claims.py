# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import UserError

from .common import ADDRESS, GiftCase, utc_in


class TestClaims(GiftCase):

    def won(self, **values):
        """A direct gift won by bob; (lottery, prize)."""
        lottery = self.paid_lottery(method="direct", **values)
        body = self.join(lottery, "bob")
        prize = self.env["gift.lottery.prize"].browse(body["prize"]["id"])
        return lottery, prize

    def claim(self, prize, who="bob", status=200, code=None, **address):
        response = self.api("POST", "gift_prizes/%d/claim" % prize.id,
                            token=self.user(who)[0],
                            json=dict(ADDRESS, **address))
        if status != 200:
            return self.assertError(response, status, code)
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def test_claim_with_an_address_makes_a_delivery_order(self):
        lottery, prize = self.won(quantity=1)
        mine = self.api("GET", "gift_prizes",
                        token=self.user("bob")[0]).json()
        self.assertEqual([p["id"] for p in mine["items"]], [prize.id])
        self.assertEqual(mine["items"][0]["state"], "to_claim")
        self.assertTrue(mine["items"][0]["claim_deadline"])
        body = self.claim(prize)
        self.assertEqual(body["state"], "claimed")
        self.assertIn("西湖区", body["address"])
        self.assertEqual(prize.address_id.parent_id, self.user("bob")[1])
        self.assertEqual(prize.address_id.type, "delivery")
        picking = prize.picking_id
        self.assertEqual(picking.picking_type_id.code, "outgoing")
        self.assertEqual(picking.partner_id, prize.address_id)
        self.assertEqual(picking.move_lines.product_id, self.gift)
        self.assertEqual(picking.origin, lottery.name)
        self.claim(prize, status=409, code="already_claimed")
        # Bad addresses change nothing.
        _lottery2, other = self.won(quantity=1)
        self.claim(other, status=400, phone="12345")
        self.claim(other, status=400, name="")
        self.assertEqual(other.state, "to_claim")

    def test_others_cannot_see_or_claim_a_prize(self):
        _lottery, prize = self.won(quantity=1)
        self.claim(prize, who="carol", status=404)
        self.assertError(self.api("GET", "gift_prizes/%d" % prize.id,
                                  token=self.user("carol")[0]), 404)
        self.assertEqual(prize.state, "to_claim")

    def test_claim_deadline_passes(self):
        _lottery, prize = self.won(quantity=1)
        prize.claim_deadline = utc_in(seconds=-1)
        self.claim(prize, status=409, code="claim_expired")

    def test_unclaimed_prize_passes_to_the_next_in_the_ranking(self):
        lottery = self.paid_lottery(method="full", full_count=3, quantity=1,
                                    unclaimed="next")
        for name in ("bob", "carol", "dave"):
            self.join(lottery, name)
        prize = lottery.prize_ids
        first = prize.entry_id
        self.assertEqual(first.rank, 1)
        prize.claim_deadline = utc_in(seconds=-1)
        self.env["gift.lottery.prize"]._cron_lapse(auto_commit=False)
        self.assertEqual(first.state, "lapsed")
        self.assertEqual(prize.entry_id.rank, 2)
        self.assertEqual(prize.state, "to_claim")
        self.assertEqual(prize.passed_count, 1)
        self.assertGreater(prize.claim_deadline, utc_in())
        # The last one lapses too, then nobody is left: the buyer is
        # refunded the item.
        for _step in range(2):
            prize.claim_deadline = utc_in(seconds=-1)
            self.env["gift.lottery.prize"]._cron_lapse(auto_commit=False)
        self.assertEqual(prize.state, "returned")
        self.assertEqual(lottery.state, "done")
        self.assertEqual(self.refunds(lottery).mapped("amount_fen"), [1990])

    def test_unclaimed_prize_back_to_the_buyer_when_chosen(self):
        lottery = self.paid_lottery(method="full", full_count=2, quantity=1,
                                    unclaimed="buyer")
        self.join(lottery, "bob")
        self.join(lottery, "carol")
        prize = lottery.prize_ids
        prize.claim_deadline = utc_in(seconds=-1)
        self.assertEqual(self.env["gift.lottery.prize"]._cron_lapse(
            auto_commit=False), 1)
        self.assertEqual(prize.state, "returned")
        self.assertEqual(lottery.returned_count, 1)
        self.assertEqual(lottery.given_count, 0)
        self.assertEqual(self.refunds(lottery).mapped("amount_fen"), [1990])
        self.assertEqual(self.env["gift.lottery.prize"]._cron_lapse(
            auto_commit=False), 0)

    def test_shipping_needs_tracking_and_closes_the_lottery(self):
        lottery, prize = self.won(quantity=1)
        self.claim(prize)
        with self.assertRaises(UserError):
            prize.action_ship()
        prize.write({"carrier": "SF Express", "tracking_ref": "SF123"})
        prize.action_ship()
        self.assertEqual(prize.state, "shipped")
        self.assertEqual(prize.picking_id.state, "done")
        self.assertEqual(lottery.state, "done")
        self.assertEqual(lottery.claim_rate, 100.0)
        body = self.api("GET", "gift_prizes/%d" % prize.id,
                        token=self.user("bob")[0]).json()
        self.assertEqual(body["tracking_ref"], "SF123")
        buyer_view = self.api("GET", "gift_lotteries/%d" % lottery.id,
                              token=self.alice["token"]).json()
        self.assertEqual(buyer_view["prizes"][0]["state"], "shipped")
        self.assertIsNone(buyer_view["prizes"][0]["address"])
