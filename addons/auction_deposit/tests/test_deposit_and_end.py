# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from .common import AuctionCase, utc_in


def pay_deposit(case, token, lot=None):
    """Pay a deposit over the API and the simulator; the deposit."""
    payload = {"session_id": case.auction.id}
    if lot:
        payload["lot_id"] = lot.id
    response = case.api("POST", "auction_deposits", token=token,
                        json=payload)
    case.assertEqual(response.status_code, 200, response.text)
    body = response.json()
    tx = case.env["payment.transaction"].browse(
        body["payment"]["transaction_id"])
    case.pay_as_user(tx)
    case.wait_notify("pay", tx.wechatpay_out_trade_no)
    return case.env["auction.deposit"].browse(body["id"])


class TestDepositAndEnd(AuctionCase):

    def pay_deposit(self, token, lot=None):
        return pay_deposit(self, token, lot)

    def test_deposit_paid_by_wechat_is_a_liability(self):
        account = self.company._auction_deposit_account()
        opening = self.account_balance(account)
        deposit = self.pay_deposit(self.alice["token"])
        self.assertEqual(deposit.state, "paid")
        self.assertEqual(deposit.amount_fen, 50000)
        self.assertEqual(round(self.account_balance(account) - opening, 2),
                         -500.0)
        again = self.api("POST", "auction_deposits",
                         token=self.alice["token"],
                         json={"session_id": self.auction.id})
        self.assertError(again, 409, "paid")
        self.assertBooksBalance()

    def test_lot_ends_winner_gets_an_order_losers_are_refunded(self):
        bob_token, bob = self.user("bob")
        self.pay_deposit(self.alice["token"], self.lot)
        bob_deposit = self.pay_deposit(bob_token, self.lot)
        self.bid(self.alice["token"], 100000, "a1")
        self.bid(bob_token, 105000, "b1")
        self.bid(self.alice["token"], 160000, "a2")
        self.lot.end_at = utc_in(minutes=-1)
        self.assertGreaterEqual(self.env["auction.lot"]._cron_end_lots(
            auto_commit=False), 1)
        self.assertEqual(self.lot.result, "sold")
        self.assertEqual(self.lot.winner_id, self.alice_partner)
        self.assertEqual(self.lot.hammer_fen, 160000)
        order = self.lot.order_id
        self.assertEqual(order.partner_id, self.alice_partner)
        self.assertEqual(order.wechatpay_amount_fen, 176000)  # + 10 %
        self.assertTrue(order.auction_due_at)
        self.assertEqual(bob_deposit.state, "refunding")
        refund = bob_deposit.refund_id
        self.send_refund(refund)
        self.wait_notify("refund", refund.name)
        self.env["auction.deposit"]._cron_settle_refunds()
        self.assertEqual(bob_deposit.state, "refunded")
        self.assertEqual(refund.credit_note_id.state, "paid")
        self.assertEqual(self.env["auction.lot"]._cron_end_lots(
            auto_commit=False), 0)
        self.assertBooksBalance()

    def test_below_reserve_is_unsold(self):
        self.deposit(self.alice_partner)
        self.bid(self.alice["token"], 100000, "a1")
        self.lot.end_at = utc_in(minutes=-1)
        self.env["auction.lot"]._cron_end_lots(
            auto_commit=False)
        self.assertEqual(self.lot.result, "unsold")
        self.assertFalse(self.lot.order_id)

    def test_cancelling_a_session_refunds_its_deposits(self):
        deposit = self.pay_deposit(self.alice["token"])
        self.auction.action_cancel()
        self.assertEqual(self.auction.state, "cancelled")
        self.assertEqual(deposit.state, "refunding")
        self.assertEqual(deposit.refund_id.amount_fen, 50000)

    def test_wallet_deposit_goes_back_to_the_wallet(self):
        bob_token, bob = self.user("bob")
        wallet = self.env["wechatpay.wallet"]._of(bob, self.company)
        wallet._credit(50000, "refund", "test funds")
        response = self.api("POST", "auction_deposits", token=bob_token,
                            json={"session_id": self.auction.id,
                                  "lot_id": self.lot.id,
                                  "method": "wallet"})
        self.assertEqual(response.status_code, 200, response.text)
        deposit = self.env["auction.deposit"].browse(response.json()["id"])
        self.assertEqual(deposit.state, "paid")
        self.assertEqual(wallet.balance_fen, 30000)
        self.lot.end_at = utc_in(minutes=-1)
        self.env["auction.lot"]._cron_end_lots(
            auto_commit=False)
        self.assertEqual(deposit.state, "refunded")
        self.assertEqual(wallet.balance_fen, 50000)

    def test_session_deposit_released_after_the_session(self):
        deposit = self.pay_deposit(self.alice["token"])
        self.env["auction.deposit"]._cron_release_session_deposits()
        self.assertEqual(deposit.state, "paid")  # still running
        self.auction.write({"bidding_end": utc_in(minutes=-1)})
        self.lot.end_at = utc_in(minutes=-1)
        self.env["auction.lot"]._cron_end_lots(
            auto_commit=False)
        self.assertEqual(self.env["auction.deposit"]
                         ._cron_release_session_deposits(), 1)
        self.assertEqual(deposit.state, "refunding")

    def test_withdrawing_a_lot_refunds_its_deposits(self):
        deposit = self.pay_deposit(self.alice["token"], self.lot)
        self.lot.action_withdraw()
        self.assertEqual((self.lot.state, self.lot.withdrawn),
                         ("unsold", True))
        self.assertEqual(deposit.state, "refunding")
        self.assertEqual(self.bid(self.alice["token"], 100000, "late",
                                  status=409)["error"]["code"], "closed")
