# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from .common import GiftCase, iso_in


class TestCatalogueAndBuying(GiftCase):

    def test_catalogue_lists_gifts_by_category_home_and_search(self):
        other = self.env["gift.category"].create({"name": "Flowers"})
        roses = self.env["product.product"].create({
            "name": "Zhuji Roses", "list_price": 131.4, "gift_ok": True,
            "gift_category_id": other.id})
        self.env["product.product"].create({
            "name": "Not a gift", "list_price": 5.0})
        token = self.alice["token"]
        body = self.api("GET", "gifts?size=100", token=token).json()
        names = [g["name"] for g in body["items"]]
        self.assertIn("Tea box", names)
        self.assertIn("Zhuji Roses", names)
        self.assertNotIn("Not a gift", names)
        tea = [g for g in body["items"] if g["id"] == self.gift.id][0]
        self.assertEqual(tea["price_fen"], 1990)
        by_category = self.api("GET", "gifts?category_id=%d" % other.id,
                               token=token).json()
        self.assertEqual([g["id"] for g in by_category["items"]], [roses.id])
        home = self.api("GET", "gifts?home=1&size=100", token=token).json()
        self.assertNotIn(roses.id, [g["id"] for g in home["items"]])
        found = self.api("GET", "gifts?search=zhuji", token=token).json()
        self.assertEqual(found["total"], 1)
        detail = self.api("GET", "gifts/%d" % roses.id, token=token).json()
        self.assertEqual(detail["price_fen"], 13140)
        categories = self.api("GET", "gifts/categories", token=token).json()
        self.assertIn("Flowers", [c["name"] for c in categories["items"]])
        self.assertError(self.api("GET", "gifts/999999", token=token), 404)
        self.assertError(self.api("GET", "gifts?category_id=x",
                                  token=token), 400)
        # The picture loads without a session (the image loader).
        image = self.session.get(
            "http://%s:%s%s" % (__import__("odoo").tests.common.HOST,
                                __import__("odoo").tests.common.PORT,
                                tea["image_url"]), timeout=20)
        self.assertEqual(image.status_code, 200)

    def test_guardrails_refuse_bad_lotteries(self):
        plain = self.env["product.product"].create({
            "name": "Plain", "list_price": 5.0})
        self.assertError(self.api("POST", "gift_lotteries",
                                  token=self.alice["token"], json={
                                      "product_id": plain.id, "quantity": 1,
                                      "method": "direct"}), 400, "not_a_gift")
        self.company.gift_prize_cap_fen = 1000
        body = self.make_lottery(status=400)
        self.assertEqual(body["error"]["code"], "over_prize_cap")
        self.company.gift_prize_cap_fen = 5000000
        refused = [
            (dict(wish="x" * 51), "wish_too_long"),
            (dict(draw_at=iso_in(hours=-1)), "invalid_draw_at"),
            (dict(draw_at=iso_in(days=40)), "invalid_draw_at"),
            (dict(method="full", full_count=1, quantity=2),
             "invalid_full_count"),
        ]
        for values, code in refused:
            body = self.make_lottery(status=400, **values)
            self.assertEqual(body["error"]["code"], code, values)
        self.company.gift_wish_banned_words = "spam\nscam"
        self.assertEqual(self.make_lottery(status=400, wish="a scam gift")
                         ["error"]["code"], "wish_refused")
        self.make_lottery(status=400, draw_at="tomorrow")
        self.make_lottery(status=400, draw_at="2026-01-01T10:00:00")
        self.company.gift_max_items = 3
        self.assertEqual(self.make_lottery(status=400, quantity=4)["error"]
                         ["code"], "too_many_items")
        self.make_lottery(status=400, method="lucky")
        self.make_lottery(status=400, quantity=0)
        self.assertFalse(self.env["gift.lottery"].search(
            [("partner_id", "=", self.alice_partner.id)]))

    def test_paying_opens_the_lottery_and_books_the_sale(self):
        body = self.make_lottery(quantity=3)
        self.assertEqual(body["state"], "draft")
        self.assertEqual(body["amount_fen"], 5970)
        self.assertEqual(len(body["seed_hash"]), 64)
        lottery = self.env["gift.lottery"].browse(body["id"])
        # Not joinable before it is paid.
        bob_token = self.user("bob")[0]
        self.assertError(self.api(
            "GET", "gift_shares/check?token=%s" % lottery.share_token,
            token=bob_token), 404)
        lottery = self.paid_lottery(quantity=3)
        order = lottery.sale_order_id
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.invoice_ids.state, "paid")
        self.assertEqual(order.wechatpay_amount_fen, 5970)
        # The buyer's items are not shipped to the buyer.
        self.assertFalse(order.picking_ids)
        self.assertBooksBalance()
        again = self.api("POST", "gift_lotteries/%d/pay" % lottery.id,
                         token=self.alice["token"], json={})
        self.assertError(again, 409, "not_payable")

    def test_wallet_payment_and_unpaid_cancellation(self):
        self.env["wechatpay.wallet"]._of(self.alice_partner, self.company) \
            ._credit(10000, "refund", "test funds")
        body = self.make_lottery(quantity=1, method="direct")
        paid = self.api("POST", "gift_lotteries/%d/pay" % body["id"],
                        token=self.alice["token"],
                        json={"method": "wallet"}).json()
        self.assertEqual(paid["state"], "paid")
        self.assertEqual(self.env["gift.lottery"].browse(body["id"]).state,
                         "open")
        unpaid = self.make_lottery(quantity=1)
        lottery = self.env["gift.lottery"].browse(unpaid["id"])
        self.api("POST", "gift_lotteries/%d/pay" % lottery.id,
                 token=self.alice["token"], json={})
        tx = lottery.sale_order_id.wechatpay_transaction_ids
        lottery.sale_order_id._wechatpay_payment_cancelled(tx)
        self.assertEqual(lottery.state, "cancel")

    def test_buyer_lists_and_sees_only_their_own(self):
        lottery = self.paid_lottery()
        mine = self.api("GET", "gift_lotteries",
                        token=self.alice["token"]).json()
        self.assertEqual([i["id"] for i in mine["items"]], [lottery.id])
        bob_token = self.user("bob")[0]
        self.assertEqual(self.api("GET", "gift_lotteries",
                                  token=bob_token).json()["total"], 0)
        for method, path in (("GET", "gift_lotteries/%d"),
                             ("GET", "gift_lotteries/%d/joiners"),
                             ("POST", "gift_lotteries/%d/pay")):
            self.assertError(self.api(method, path % lottery.id,
                                      token=bob_token, json={}
                                      if method == "POST" else None), 404)
        self.assertError(self.api("GET", "gift_lotteries"), 401)
