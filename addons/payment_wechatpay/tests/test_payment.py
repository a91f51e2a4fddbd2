# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from wechatpy.pay.utils import calculate_signature

from odoo import fields

from .common import API_KEY, WechatPayCase


def notify_xml(fields_):
    return "<xml>%s</xml>" % "".join(
        "<%s>%s</%s>" % (k, v, k) for k, v in fields_.items())


class TestPayment(WechatPayCase):

    def test_open_payment_gives_request_payment_params(self):
        order = self.make_order(price=12.34)
        response = self.api("POST", "payments", token=self.alice["token"],
                            json={"order_id": order.id})
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual(body["amount_fen"], 1234)
        params = body["request_payment"]
        self.assertEqual(params["signType"], "MD5")
        self.assertTrue(params["package"].startswith("prepay_id=wx"))
        # paySign is the merchant's MD5 signature of the other four + appId
        signed = dict(params, appId="wxd0000000000demo")
        pay_sign = signed.pop("paySign")
        self.assertEqual(calculate_signature(signed, API_KEY), pay_sign)
        tx = self.env["payment.transaction"].browse(body["transaction_id"])
        self.assertEqual(tx.state, "pending")
        self.assertLessEqual(len(tx.wechatpay_out_trade_no), 32)
        order_at_wechat = self.sim.call(
            "GET", "orders?out_trade_no=" + tx.wechatpay_out_trade_no)[
                "orders"][0]
        self.assertEqual(order_at_wechat["total_fee"], 1234)
        self.assertEqual(order_at_wechat["openid"],
                         self.alice_partner.mp_openid)

    def test_second_call_reuses_the_open_transaction(self):
        order = self.make_order()
        first = self.open_payment(order)
        second = self.open_payment(order)
        self.assertEqual(first, second)
        self.assertEqual(len(order.wechatpay_transaction_ids), 1)
        self.assertEqual(self.sim.stats()["calls"]["unifiedorder"], 1)

    def test_notify_confirms_order_and_pays_invoice(self):
        order = self.make_order(price=10.0)
        tx = self.open_payment(order)
        self.pay_as_user(tx)
        [delivery] = self.wait_notify("pay", tx.wechatpay_out_trade_no)
        # The invoice came from a job, enqueued once.
        self.assertEqual(self.env["queue.job"].search_count([
            ("method_name", "=", "_wechatpay_book_invoice"),
            ("identity_key", "=", "wechatpay.book.%d" % tx.id)]), 1)
        self.assertTrue(delivery["ok"], delivery)
        self.assertEqual(tx.state, "done")
        self.assertEqual(order.state, "sale")
        invoice = tx.wechatpay_invoice_id
        self.assertEqual(invoice.state, "paid")
        self.assertEqual(invoice.amount_total, 10.0)
        self.assertEqual(tx.wechatpay_payment_id.journal_id, self.journal)
        self.assertTrue(tx.acquirer_reference.startswith("42000"))
        self.assertBooksBalance()

    def test_prices_that_floats_cannot_hold_are_paid(self):
        # 19.90 is 19.900000000000002 once rounded as a float: compared in
        # fen, the order still takes its own payment.
        order = self.make_order(price=19.9)
        tx = self.open_payment(order)
        self.assertEqual(tx.wechatpay_total_fee, 1990)
        self.pay_as_user(tx)
        self.wait_notify("pay", tx.wechatpay_out_trade_no)
        self.assertEqual(order.state, "sale")
        self.assertFalse(tx.wechatpay_late)
        self.assertEqual(tx.wechatpay_invoice_id.state, "paid")

    def test_duplicate_notifies_are_applied_once(self):
        order = self.make_order()
        tx = self.open_payment(order)
        self.pay_as_user(tx, notify_copies=3)
        self.wait_notify("pay", tx.wechatpay_out_trade_no, count=3)
        self.sim.call("POST", "notify-again",
                      out_trade_no=tx.wechatpay_out_trade_no)
        deliveries = self.wait_notify("pay", tx.wechatpay_out_trade_no,
                                      count=4)
        self.assertTrue(all(d["ok"] for d in deliveries))
        self.assertEqual(len(order.invoice_ids), 1)
        self.assertEqual(len(self.env["account.payment"].search([
            ("payment_transaction_id", "=", tx.id)])), 1)
        self.assertBooksBalance()

    def _signed_notify(self, tx, api_key=API_KEY, **changes):
        values = {
            "return_code": "SUCCESS", "result_code": "SUCCESS",
            "appid": "wxd0000000000demo", "mch_id": "1900000109",
            "nonce_str": "abc", "openid": self.alice_partner.mp_openid,
            "out_trade_no": tx.wechatpay_out_trade_no,
            "transaction_id": "4200000000202611220000000001",
            "total_fee": tx.wechatpay_total_fee, "cash_fee":
            tx.wechatpay_total_fee, "fee_type": "CNY",
            "time_end": "20261122101010", "trade_type": "JSAPI",
            "bank_type": "OTHERS",
        }
        values.update(changes)
        values["sign"] = calculate_signature(values, api_key)
        return notify_xml(values)

    def assertNothingMoved(self, tx, order):
        self.assertEqual(tx.state, "pending")
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.invoice_ids)

    def test_forged_and_tampered_notifies_change_nothing(self):
        order = self.make_order()
        tx = self.open_payment(order)
        for body in (
                self._signed_notify(tx, api_key="x" * 32),  # forged key
                self._signed_notify(tx, total_fee=1),  # wrong amount
                self._signed_notify(tx, mch_id="1900000999"),
                self._signed_notify(tx, appid="wx_other_app"),
                self._signed_notify(tx, fee_type="USD"),
                self._signed_notify(tx, out_trade_no="UNKNOWN1"),
                "<xml><not closed", "plain text"):
            response = self.post_notify("pay", body)
            self.assertEqual(response.status_code, 400, body)
            self.assertIn("FAIL", response.text)
            self.assertNothingMoved(tx, order)
        # The signature covers every field: change one after signing.
        body = self._signed_notify(tx).replace(
            "<total_fee>1000</total_fee>", "<total_fee>1</total_fee>")
        self.assertEqual(self.post_notify("pay", body).status_code, 400)
        self.assertNothingMoved(tx, order)
        # A good notify for a payment WeChat really received is accepted.
        self.pay_as_user(tx, notify=False)
        response = self.post_notify("pay", self._signed_notify(tx))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(tx.state, "done")

    def test_other_users_cannot_pay_or_see_my_order(self):
        order = self.make_order()
        bob = self.login("bob")
        response = self.api("POST", "payments", token=bob["token"],
                            json={"order_id": order.id})
        self.assertError(response, 404)
        tx = self.open_payment(order)
        self.assertError(self.api("GET", "payments/%d" % tx.id,
                                  token=bob["token"]), 404)
        response = self.api("GET", "payments/%d" % tx.id,
                            token=self.alice["token"])
        self.assertEqual(response.json()["state"], "pending")

    def test_bad_payment_input(self):
        for payload in ({}, {"order_id": "x"}, {"order_id": 0},
                        {"order_id": 1, "method": "cash"}):
            self.assertError(self.api("POST", "payments", json=payload,
                                      token=self.alice["token"]), 400)
        order = self.make_order()
        order.action_confirm()
        self.assertError(self.api(
            "POST", "payments", json={"order_id": order.id},
            token=self.alice["token"]), 409, "not_payable")

    def test_refresh_settles_a_payment_whose_notify_is_lost(self):
        order = self.make_order()
        tx = self.open_payment(order)
        self.pay_as_user(tx, notify=False)
        response = self.api("POST", "payments/%d/refresh" % tx.id,
                            token=self.alice["token"])
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["state"], "done")
        self.assertEqual(order.state, "sale")
        self.perform_jobs("_wechatpay_book_invoice")
        self.assertEqual(order.invoice_ids.state, "paid")

    def _expire(self, tx):
        tx.wechatpay_expire_at = fields.Datetime.to_string(
            datetime.datetime.utcnow() - datetime.timedelta(minutes=5))

    def test_reconciliation_closes_unpaid_and_completes_paid(self):
        unpaid_order, paid_order = self.make_order(), self.make_order()
        unpaid, paid = (self.open_payment(unpaid_order),
                        self.open_payment(paid_order))
        self.pay_as_user(paid, notify=False)  # the notify got lost
        self._expire(unpaid)
        self._expire(paid)
        handled = self.env["payment.transaction"]._cron_wechatpay_reconcile(
            auto_commit=False)
        self.assertEqual(handled, 2)
        self.assertEqual(unpaid.state, "cancel")
        self.assertEqual(unpaid_order.state, "cancel")
        at_wechat = self.sim.call(
            "GET", "orders?out_trade_no=" + unpaid.wechatpay_out_trade_no)
        self.assertEqual(at_wechat["orders"][0]["state"], "CLOSED")
        self.assertEqual(paid.state, "done")
        self.perform_jobs("_wechatpay_book_invoice")
        self.assertEqual(paid_order.invoice_ids.state, "paid")
        # Nothing left to do on the next run.
        self.assertEqual(self.env["payment.transaction"]
                         ._cron_wechatpay_reconcile(auto_commit=False), 0)
        self.assertBooksBalance()

    def test_reconciliation_waits_when_wechat_is_down(self):
        tx = self.open_payment(self.make_order())
        self._expire(tx)
        self.sim.fault("orderquery", http_status=502)
        self.env["payment.transaction"]._cron_wechatpay_reconcile(
            auto_commit=False)
        self.assertEqual(tx.state, "pending")
        self.assertIn("HTTP_502", tx.state_message)
        self.assertTrue(tx.wechatpay_checked_at)
        # Not asked again at once: WeChat gets a rest.
        self.assertEqual(self.env["payment.transaction"]
                         ._cron_wechatpay_reconcile(auto_commit=False), 0)

    def test_late_payment_is_refunded_when_the_order_gave_up(self):
        order = self.make_order()
        tx = self.open_payment(order)
        self.pay_as_user(tx, notify=False)
        tx._wechatpay_cancel("test: the document gave up")
        self.assertEqual(order.state, "cancel")
        self.sim.call("POST", "notify-again",
                      out_trade_no=tx.wechatpay_out_trade_no)
        self.wait_notify("pay", tx.wechatpay_out_trade_no)
        self.assertEqual(tx.state, "done")
        self.assertTrue(tx.wechatpay_late)
        self.assertEqual(order.state, "cancel")
        refund = tx.wechatpay_refund_ids
        self.assertEqual(refund.amount_fen, tx.wechatpay_total_fee)
        self.send_refund(refund)
        self.wait_notify("refund", refund.name)
        self.assertEqual(refund.state, "succeeded")
        # In, then out, for the customer: nothing left on the receivable.
        receivable = self.alice_partner.property_account_receivable_id
        self.assertEqual(self.account_balance(receivable,
                                              self.alice_partner), 0)
        self.assertTrue(all(refund.payment_id.move_line_ids.filtered(
            lambda l: l.account_id == receivable).mapped("reconciled")))
        self.assertBooksBalance()

    def test_late_payment_taken_when_the_hook_accepts(self):
        order = self.make_order()
        tx = self.open_payment(order)
        self.pay_as_user(tx, notify=False)
        tx._wechatpay_cancel("test")
        # A business addon's hook would retake the seat and say yes.
        type(order)._wechatpay_take_late_payment = lambda self, tx: True
        try:
            self.sim.call("POST", "notify-again",
                          out_trade_no=tx.wechatpay_out_trade_no)
            self.wait_notify("pay", tx.wechatpay_out_trade_no)
        finally:
            del type(order)._wechatpay_take_late_payment
        self.assertEqual(order.state, "sale")
        self.assertEqual(tx.wechatpay_invoice_id.state, "paid")
        self.assertFalse(tx.wechatpay_refund_ids)

    def test_pay_an_invoice(self):
        order = self.make_order(price=6.0)
        order.action_confirm()
        invoice = self.env["account.invoice"].browse(
            order.action_invoice_create())
        invoice.action_invoice_open()
        result = invoice._wechatpay_pay()
        tx = self.env["payment.transaction"].browse(result["transaction_id"])
        self.assertEqual(tx.wechatpay_total_fee, 600)
        self.assertEqual(tx.wechatpay_invoice_id, invoice)
        self.pay_as_user(tx)
        self.wait_notify("pay", tx.wechatpay_out_trade_no)
        self.assertEqual(tx.state, "done")
        self.assertEqual(invoice.state, "paid")
        self.assertEqual(tx.wechatpay_payment_id.journal_id, self.journal)
        self.assertBooksBalance()

    def test_an_invoice_takes_one_payment_the_second_is_refunded(self):
        order = self.make_order(price=6.0)
        order.action_confirm()
        invoice = self.env["account.invoice"].browse(
            order.action_invoice_create())
        invoice.action_invoice_open()
        first = self.env["payment.transaction"].browse(
            invoice._wechatpay_pay()["transaction_id"])
        # Its last seconds: a second tap opens another WeChat order.
        first.wechatpay_expire_at = fields.Datetime.to_string(
            datetime.datetime.utcnow() + datetime.timedelta(seconds=30))
        second = self.env["payment.transaction"].browse(
            invoice._wechatpay_pay()["transaction_id"])
        self.assertNotEqual(first, second)
        # The user pays both before any invoice job has run.
        self.pay_as_user(first, notify=False)
        self.pay_as_user(second, notify=False)
        self.post_notify("pay", self._signed_notify(first))
        self.post_notify("pay", self._signed_notify(
            second, transaction_id="4200000000202611220000000002"))
        self.assertEqual(invoice.state, "paid")
        self.assertEqual(first.wechatpay_payment_id.invoice_ids, invoice)
        self.assertTrue(second.wechatpay_late)
        self.assertEqual(second.wechatpay_refund_ids.amount_fen, 600)
        self.assertFalse(second.wechatpay_payment_id.invoice_ids)
