# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import UserError

from .common import AuctionCase, utc_in


class TestBidding(AuctionCase):

    def setUp(self):
        super(TestBidding, self).setUp()
        self.bob_token, self.bob = self.user("bob")
        self.alice_token = self.alice["token"]
        self.deposit(self.alice_partner)
        self.deposit(self.bob, self.lot)

    def test_ladder(self):
        Increment = self.env["auction.increment"]
        ladder = Increment._ladder(self.auction)
        self.assertEqual(Increment._increment_at(ladder, 0), 1000)
        self.assertEqual(Increment._increment_at(ladder, 100000), 5000)
        self.assertEqual(Increment._increment_at(ladder, 600000), 10000)
        Increment.create({"session_id": self.auction.id, "from_fen": 0,
                          "increment_fen": 200})
        self.assertEqual(Increment._increment_at(
            Increment._ladder(self.auction), 600000), 200)

    def test_rules_of_a_bid(self):
        carol_token, _carol = self.user("carol")
        self.assertEqual(self.bid(carol_token, 100000, "c1", status=403)
                         ["error"]["code"], "no_deposit")
        self.assertEqual(self.bid(self.alice_token, 99999, "a0", status=409)
                         ["error"]["code"], "too_low")
        first = self.bid(self.alice_token, 100000, "a1")
        self.assertTrue(first["leading"])
        self.assertEqual(self.bid(self.alice_token, 110000, "a2",
                                  status=409)["error"]["code"], "leading")
        # 100000 + 5000 is the least now.
        self.assertEqual(self.bid(self.bob_token, 104999, "b1", status=409)
                         ["error"]["code"], "too_low")
        self.bid(self.bob_token, 105000, "b2")
        # A retried request answers the same bid and adds nothing.
        again = self.bid(self.bob_token, 105000, "b2")
        self.assertEqual(self.lot.bid_count, 2)
        self.assertEqual(again["current_fen"], 105000)
        with self.assertRaises(UserError):
            self.lot.bid_ids[0].amount_fen = 1

    def test_only_while_bidding(self):
        self.auction.write({"bidding_start": utc_in(hours=1),
                            "preview_end": utc_in(hours=1)})
        self.assertEqual(self.lot.state, "preview")
        self.assertEqual(self.bid(self.alice_token, 100000, "a1",
                                  status=409)["error"]["code"], "closed")

    def test_soft_close_extends_within_the_cap(self):
        self.auction.write({"soft_close_minutes": 5, "extend_minutes": 5,
                            "extend_cap_minutes": 7})
        self.lot.end_at = utc_in(minutes=3)
        end = self.lot.end_at
        self.bid(self.alice_token, 100000, "a1")
        self.assertEqual(self.lot.extended_minutes, 5)
        self.assertGreater(self.lot.end_at, end)
        self.lot.end_at = utc_in(minutes=2)
        self.bid(self.bob_token, 105000, "b1")
        self.assertEqual(self.lot.extended_minutes, 7)  # capped
        self.lot.end_at = utc_in(minutes=1)
        before = self.lot.end_at
        self.bid(self.alice_token, 110000, "a2")
        self.assertEqual(self.lot.end_at, before)

    def test_proxy_bids_the_least_needed(self):
        # Alice leaves a maximum of 1,300 CNY; bob bids 1,100 by hand.
        self.bid(self.alice_token, 100000, "a1", max_fen=130000)
        self.bid(self.bob_token, 110000, "b1")
        # Alice's proxy answers with one increment.
        self.assertEqual(self.lot.top_bid_id.partner_id,
                         self.alice_partner)
        self.assertEqual(self.lot.current_fen, 115000)
        # Bob's own maximum of 1,500 beats hers: he leads at 1,300 + 5.
        self.bid(self.bob_token, 120000, "b2", max_fen=150000)
        self.assertEqual(self.lot.top_bid_id.partner_id, self.bob)
        self.assertEqual(self.lot.current_fen, 135000)
        amounts = self.lot.bid_ids.sorted("id").mapped("amount_fen")
        self.assertEqual(amounts, [100000, 110000, 115000, 120000, 130000,
                                   135000])
        self.assertTrue(all(a < b for a, b in zip(amounts, amounts[1:])))

    def test_equal_maximums_go_to_the_earlier(self):
        self.bid(self.alice_token, 100000, "a1", max_fen=120000)
        self.bid(self.bob_token, 105000, "b1", max_fen=120000)
        self.assertEqual(self.lot.top_bid_id.partner_id,
                         self.alice_partner)
        self.assertEqual(self.lot.current_fen, 120000)

    def test_barred_bidders(self):
        self.bob.auction_default_count = 3
        self.assertEqual(self.bid(self.bob_token, 100000, "b1", status=403)
                         ["error"]["code"], "barred")

    def test_history_masks_names(self):
        self.bob.mp_nickname = "Bobby"
        self.bid(self.bob_token, 100000, "b1")
        body = self.api("GET", "auction_lots/%d/bids" % self.lot.id,
                        token=self.alice_token).json()
        self.assertEqual(body["items"][0]["name"], "B***y")
        self.assertFalse(body["items"][0]["mine"])

    def test_views_and_browse_records(self):
        for token in (self.alice_token, self.alice_token, self.bob_token):
            response = self.api("GET", "auction_lots/%d" % self.lot.id,
                                token=token)
            self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.lot.view_count, 3)
        self.assertEqual(self.auction.view_count, 3)
        viewed = self.api("GET", "auction_lots/viewed",
                          token=self.alice_token).json()
        self.assertEqual([item["id"] for item in viewed["items"]],
                         [self.lot.id])
