# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from .common import AuctionCase, utc_in
from .test_deposit_and_end import pay_deposit


class TestPayAndCoupons(AuctionCase):

    def win(self, amount=160000, lot_deposit=True):
        """Alice wins the lot at ``amount``; her paid deposit."""
        deposit = pay_deposit(self, self.alice["token"],
                              self.lot if lot_deposit else None)
        self.bid(self.alice["token"], amount, "win")
        self.lot.end_at = utc_in(minutes=-1)
        self.env["auction.lot"]._cron_end_lots(
            auto_commit=False)
        self.assertEqual(self.lot.winner_id, self.alice_partner)
        return deposit

    def pay(self, order, status=200, **payload):
        response = self.api("POST", "auction_orders/%d/pay" % order.id,
                            token=self.alice["token"], json=payload)
        self.assertEqual(response.status_code, status, response.text)
        return response.json()

    def coupon(self, amount=30000, issued=2):
        return self.env["auction.coupon"].create({
            "name": "Spring 300", "session_id": self.auction.id,
            "amount_fen": amount, "issued": issued,
            "claim_start": utc_in(hours=-1), "claim_end": utc_in(days=1),
        })

    def claim(self, coupon, token=None, status=200):
        response = self.api("POST", "auction_coupons/%d/claim" % coupon.id,
                            token=token or self.alice["token"])
        self.assertEqual(response.status_code, status, response.text)
        return response.json()

    def test_pay_the_rest_with_deposit_and_coupon_applied(self):
        self.win(160000)  # 1,600 + 10 % = 1,760; lot deposit 200
        order = self.lot.order_id
        coupon = self.coupon()
        mine = self.claim(coupon)
        body = self.pay(order, coupon_id=mine["id"])
        # 1,760 - 300 coupon - 200 deposit.
        self.assertEqual(body["amount_fen"], 126000)
        tx = self.env["payment.transaction"].browse(body["transaction_id"])
        self.pay_as_user(tx)
        self.wait_notify("pay", tx.wechatpay_out_trade_no)
        self.assertEqual(order.state, "sale")
        invoice = tx.wechatpay_invoice_id
        self.assertEqual(invoice.state, "paid")
        self.assertEqual(invoice.amount_total, 1260.0)
        # The deposit and the coupon are lines of the invoice (named in
        # the buyer's language): the deposit on the deposits liability.
        deposit_line = invoice.invoice_line_ids.filtered(
            lambda l: l.account_id ==
            self.company.auction_deposit_account_id)
        self.assertEqual(deposit_line.price_subtotal, -200.0)
        self.assertEqual(sorted(invoice.invoice_line_ids.mapped(
            "price_subtotal")), [-300.0, -200.0, 160.0, 1600.0])
        # The deposit liability is cleared: paid in, applied out.
        self.assertEqual(self.account_balance(
            self.company.auction_deposit_account_id,
            self.alice_partner), 0.0)
        coupon_state = self.env["auction.user.coupon"].browse(mine["id"])
        self.assertEqual(coupon_state.state, "used")
        self.assertBooksBalance()
        listed = self.api("GET", "auction_orders",
                          token=self.alice["token"]).json()
        self.assertEqual([o["id"] for o in listed["awaiting_delivery"]],
                         [order.id])

    def test_deposit_covering_everything_pays_and_refunds_the_excess(self):
        self.lot.write({"start_fen": 10000, "reserve_fen": 0,
                        "deposit_fen": 50000})
        self.win(10000)  # 100 + 10 % = 110, deposit 500
        order = self.lot.order_id
        body = self.pay(order)
        self.assertEqual(body["method"], "deposit")
        self.assertEqual(order.state, "sale")
        deposit = order.order_line.mapped("auction_deposit_id")
        self.assertEqual(deposit.state, "applied")
        refund = self.env["wechatpay.refund"].search([
            ("transaction_id.sale_order_id", "=", deposit.order_id.id)])
        self.assertEqual(refund.amount_fen, 50000 - 11000)
        self.send_refund(refund)
        self.wait_notify("refund", refund.name)
        self.assertEqual(refund.state, "succeeded")
        self.assertBooksBalance()

    def test_overdue_forfeits_the_deposit_and_counts_the_default(self):
        deposit = self.win()
        order = self.lot.order_id
        order.auction_due_at = utc_in(minutes=-1)
        self.assertError(self.api("POST", "auction_orders/%d/pay" % order.id,
                                  token=self.alice["token"], json={}),
                         409, "overdue")
        self.assertEqual(self.env["sale.order"]._cron_auction_overdue(
            auto_commit=False), 1)
        self.assertEqual(order.state, "cancel")
        self.assertEqual(self.lot.result, "overdue")
        self.assertEqual(deposit.state, "forfeited")
        self.assertEqual(self.alice_partner.auction_default_count, 1)
        income = self.company.auction_forfeit_account_id
        self.assertEqual(self.account_balance(income), -200.0)
        self.assertEqual(self.account_balance(
            self.company.auction_deposit_account_id,
            self.alice_partner), 0.0)
        self.assertBooksBalance()

    def test_coupons_are_claimed_once_each_and_never_beyond_issued(self):
        coupon = self.coupon(issued=1)
        self.claim(coupon)
        self.assertEqual(self.claim(coupon, status=409)["error"]["code"],
                         "claimed")
        bob_token, _bob = self.user("bob")
        self.assertEqual(self.claim(coupon, token=bob_token, status=409)
                         ["error"]["code"], "sold_out")
        self.assertEqual(coupon.claimed, 1)
        mine = self.api("GET", "auction_coupons/mine",
                        token=self.alice["token"]).json()
        self.assertEqual(len(mine["items"]), 1)
        user_coupon = coupon.user_coupon_ids
        user_coupon.expires_at = utc_in(minutes=-1)
        self.env["auction.user.coupon"]._cron_expire()
        self.assertEqual(user_coupon.state, "expired")

    def test_messages_second_chance_and_address(self):
        bob_token, bob = self.user("bob")
        self.auction.second_chance = True
        self.deposit(bob)  # a session deposit: kept while the session runs
        self.bid(bob_token, 150000, "b1")
        deposit = self.win(170000)
        messages = self.env["mp.subscribe.message"]
        self.assertTrue(messages.search([
            ("partner_id", "=", bob.id),
            ("event_code", "=", "auction_outbid")]))
        self.assertTrue(messages.search([
            ("partner_id", "=", self.alice_partner.id),
            ("event_code", "=", "auction_won")]))
        order = self.lot.order_id
        address = self.api("POST", "addresses", token=self.alice["token"],
                           json={"name": "王小明", "phone": "13800138000",
                                 "province": "湖南省", "city": "长沙市",
                                 "district": "岳麓区", "detail": "麓山南路 2 号"})
        self.assertEqual(address.status_code, 200, address.text)
        self.assertError(self.api(
            "POST", "addresses", token=self.alice["token"],
            json={"name": "x", "phone": "123", "province": "p", "city": "c",
                  "district": "d", "detail": "e"}), 400)
        # Reminder before the deadline, once.
        order.auction_due_at = utc_in(hours=1)
        self.assertEqual(self.env["sale.order"]._cron_auction_remind(), 1)
        self.assertEqual(self.env["sale.order"]._cron_auction_remind(), 0)
        # Alice lets the deadline pass: bob gets a second chance at his bid.
        order.auction_due_at = utc_in(minutes=-1)
        self.env["sale.order"]._cron_auction_overdue(
            auto_commit=False)
        self.assertEqual(deposit.state, "forfeited")
        self.assertTrue(messages.search([
            ("partner_id", "=", self.alice_partner.id),
            ("event_code", "=", "auction_deposit")]))
        self.assertEqual(self.lot.winner_id, bob)
        self.assertEqual(self.lot.hammer_fen, 150000)
        self.assertEqual(self.lot.result, "sold")
        self.assertNotEqual(self.lot.order_id, order)
        self.assertEqual(self.lot.order_id.partner_id, bob)
