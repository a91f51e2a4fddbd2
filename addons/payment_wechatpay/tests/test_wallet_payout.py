# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.addons.base_wechat_miniprogram.exceptions import MpConflict

from .common import WechatPayCase


class TestWalletAndPayouts(WechatPayCase):

    def setUp(self):
        super(TestWalletAndPayouts, self).setUp()
        self.Payout = self.env["wechatpay.payout"]
        # Where a business (say, a pool) holds what it pays out.
        self.income = self.env["account.account"].search([
            ("company_id", "=", self.company.id),
            ("user_type_id", "=", self.env.ref(
                "account.data_account_type_revenue").id)], limit=1)

    def wallet(self, partner=None):
        return self.env["wechatpay.wallet"]._of(
            partner or self.alice_partner, self.company)

    def fund_wallet(self, fen):
        """Credit alice's wallet as a business payout to the wallet."""
        self.acquirer.wechatpay_payout_enabled = False
        payout = self.Payout._request(self.alice_partner, fen, "Prize",
                                      self.company, self.income)
        self.acquirer.wechatpay_payout_enabled = True
        self.assertEqual(payout.state, "wallet")
        return payout

    def test_ledger_and_balance(self):
        self.fund_wallet(500)
        wallet = self.wallet()
        wallet._debit(200, "payment", "X1")
        self.assertEqual(wallet.balance_fen, 300)
        with self.assertRaises(MpConflict):
            wallet._debit(301, "payment", "X2")
        self.assertEqual(wallet.balance_fen, 300)
        self.assertEqual(sum(wallet.entry_ids.mapped("amount_fen")), 300)
        self.assertEqual(wallet.entry_ids[0].balance_after_fen, 300)

    def test_pay_order_with_wallet(self):
        self.fund_wallet(1500)
        order = self.make_order(price=10.0)
        response = self.api("POST", "payments", token=self.alice["token"],
                            json={"order_id": order.id, "method": "wallet"})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["state"], "paid")
        self.assertEqual(order.state, "sale")
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "paid")
        self.assertEqual(invoice.payment_ids.journal_id, self.wallet_journal)
        self.assertEqual(self.wallet().balance_fen, 500)
        # The liability went down by what was spent.
        self.assertEqual(self.wallet_account_change(), -5.0)
        # Short balance: 409, nothing changes.
        other = self.make_order(price=10.0)
        self.assertError(self.api(
            "POST", "payments", token=self.alice["token"],
            json={"order_id": other.id, "method": "wallet"}),
            409, "insufficient_balance")
        self.assertEqual(other.state, "draft")
        self.assertEqual(self.wallet().balance_fen, 500)

    def test_refund_a_wallet_paid_invoice_to_the_wallet(self):
        self.fund_wallet(1500)
        order = self.make_order(price=10.0)
        self.api("POST", "payments", token=self.alice["token"],
                 json={"order_id": order.id, "method": "wallet"})
        invoice = order.invoice_ids
        self.assertEqual(self.wallet().balance_fen, 500)
        partial = invoice._wechatpay_refund_to_wallet(400, "Part back")
        self.assertEqual((partial.type, partial.state), ("out_refund",
                                                         "paid"))
        self.assertEqual(partial.amount_total, 4.0)
        self.assertEqual(self.wallet().balance_fen, 900)
        rest = invoice._wechatpay_refund_to_wallet(600, "The rest")
        self.assertEqual(rest.amount_total, 6.0)
        self.assertEqual(self.wallet().balance_fen, 1500)
        # All of it back on the liability, nothing left on the customer.
        self.assertEqual(self.wallet_account_change(), -15.0)
        receivable = self.alice_partner.property_account_receivable_id
        self.assertEqual(self.account_balance(receivable,
                                              self.alice_partner), 0)
        self.assertBooksBalance()

    def test_get_wallet(self):
        self.fund_wallet(700)
        response = self.api("GET", "wallet?size=5",
                            token=self.alice["token"])
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual(body["balance_fen"], 700)
        self.assertEqual(body["total"], 1)
        self.assertEqual(body["items"][0]["kind"], "payout_fallback")
        bob = self.login("bob")
        body = self.api("GET", "wallet", token=bob["token"]).json()
        self.assertEqual((body["balance_fen"], body["total"]), (0, 0))

    def test_withdraw_to_wechat_change(self):
        self.fund_wallet(1000)
        response = self.api("POST", "wallet/withdraw",
                            token=self.alice["token"],
                            json={"amount_fen": 600})
        self.assertEqual(response.status_code, 200, response.text)
        payout = self.Payout.browse(response.json()["id"])
        self.assertEqual(payout.state, "pending")
        self.assertEqual(self.wallet().balance_fen, 400)
        payout._send()
        self.assertEqual(payout.state, "done")
        [transfer] = self.sim.call("GET", "transfers")["transfers"]
        self.assertEqual(transfer["partner_trade_no"], payout.name)
        self.assertEqual(transfer["amount"], 600)
        self.assertEqual(transfer["openid"], self.alice_partner.mp_openid)
        self.assertEqual(payout.payment_no, transfer["payment_no"])
        self.assertEqual(self.wallet_account_change(), -4.0)
        self.assertBooksBalance()
        # More than the balance: 409.
        self.assertError(self.api(
            "POST", "wallet/withdraw", token=self.alice["token"],
            json={"amount_fen": 401}), 409, "insufficient_balance")
        self.assertError(self.api(
            "POST", "wallet/withdraw", token=self.alice["token"],
            json={"amount_fen": -1}), 400)

    def test_small_or_disabled_payouts_go_to_the_wallet(self):
        small = self.Payout._request(self.alice_partner, 29, "Share",
                                     self.company, self.income)
        self.assertEqual(small.state, "wallet")
        self.assertIn("minimum", small.error)
        self.assertEqual(self.wallet().balance_fen, 29)
        self.acquirer.wechatpay_payout_daily_cap_fen = 1000
        first = self.Payout._request(self.alice_partner, 800, "Share",
                                     self.company, self.income)
        over = self.Payout._request(self.alice_partner, 300, "Share",
                                    self.company, self.income)
        self.assertEqual(first.state, "pending")
        self.assertEqual(over.state, "wallet")
        self.assertEqual(self.wallet().balance_fen, 329)
        # A withdrawal below the minimum is refused outright.
        with self.assertRaises(MpConflict):
            self.Payout._request(self.alice_partner, 20, "Withdraw",
                                 self.company)

    def test_timed_out_transfer_is_paid_exactly_once(self):
        payout = self.Payout._request(self.alice_partner, 500, "Share",
                                      self.company, self.income)
        self.acquirer.wechatpay_timeout = 1
        self.sim.fault("transfers", delay=2)
        payout._send()
        self.assertEqual(payout.state, "pending")
        self.assertIn("NETWORK", payout.error)
        # WeChat did pay: the retry with the same number finds it.
        self.acquirer.wechatpay_timeout = 5
        self.Payout._cron_send(auto_commit=False)
        self.assertEqual(payout.state, "done")
        transfers = self.sim.call("GET", "transfers")["transfers"]
        self.assertEqual(len(transfers), 1)
        self.assertEqual(transfers[0]["payment_no"], payout.payment_no)
        self.assertEqual(payout.attempts, 2)
        self.assertBooksBalance()

    def test_refused_withdrawal_goes_back_to_the_wallet(self):
        self.fund_wallet(1000)
        payout = self.Payout._request(self.alice_partner, 500, "Withdraw",
                                      self.company)
        self.sim.fault("transfers", err_code="V2_ACCOUNT_SIMPLE_BAN")
        payout._send()
        self.assertEqual(payout.state, "failed")
        self.assertEqual(self.wallet().balance_fen, 1000)
        self.assertEqual(self.wallet().entry_ids.mapped("kind"),
                         ["payout_reversal", "withdrawal",
                          "payout_fallback"])

    def test_refused_transfer_of_unknown_outcome_stays_pending(self):
        self.fund_wallet(1000)
        payout = self.Payout._request(self.alice_partner, 500, "Withdraw",
                                      self.company)
        self.sim.fault("transfers", err_code="PARAM_ERROR")
        self.sim.fault("gettransferinfo", http_status=502)
        payout._send()
        # WeChat refused, but whether it paid cannot be checked: wait.
        self.assertEqual(payout.state, "pending")
        self.assertEqual(self.wallet().balance_fen, 500)
        payout._send()
        self.assertEqual(payout.state, "done")
        self.assertEqual(len(self.sim.call("GET", "transfers")["transfers"]),
                         1)
