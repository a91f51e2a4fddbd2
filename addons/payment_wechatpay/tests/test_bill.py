# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.addons.payment_wechatpay.wechat.times import beijing_today

from .common import WechatPayCase


class TestBill(WechatPayCase):

    def setUp(self):
        super(TestBill, self).setUp()
        # The simulator starts each test empty: so does Odoo's day (a
        # reused database may hold committed payments of today).
        self.env.cr.execute("""
            UPDATE payment_transaction
               SET wechatpay_paid_at = wechatpay_paid_at - interval '2 days'
             WHERE wechatpay_paid_at IS NOT NULL;
            UPDATE wechatpay_refund
               SET succeeded_at = succeeded_at - interval '2 days'
             WHERE succeeded_at IS NOT NULL;
            UPDATE wechatpay_payout SET paid_at = paid_at - interval '2 days'
             WHERE paid_at IS NOT NULL""")

    def check_today(self):
        return self.env["wechatpay.bill"]._check_day(self.acquirer,
                                                     beijing_today())

    def test_bill_matches_payments_refunds_and_payouts(self):
        tx = self.paid_order(price=10.0)
        self.paid_order(price=2.5)
        refund = self.env["wechatpay.refund"]._request(tx, 300, "part")
        self.send_refund(refund)
        self.wait_notify("refund", refund.name)
        payout = self.env["wechatpay.payout"]._request(
            self.alice_partner, 100, "Share", self.company,
            self.journal.default_debit_account_id)
        payout._send()
        bill = self.check_today()
        self.assertEqual(bill.state, "matched", bill.mismatch_ids.mapped(
            "note"))
        self.assertEqual((bill.payment_count, bill.refund_count,
                          bill.payout_count), (2, 1, 1))
        self.assertEqual((bill.paid_fen, bill.refunded_fen,
                          bill.paid_out_fen), (1250, 300, 100))
        self.assertEqual(bill.fee_fen, 6 + 2 - 2)  # 0.6 %, half-up

    def test_mismatches_are_listed_with_their_cause(self):
        tx = self.paid_order(price=10.0)
        # A payment Odoo never heard of (another system, a lost order).
        client = self.wechatpay()
        client.order.create(
            trade_type="JSAPI", body="x", total_fee=50,
            notify_url="http://127.0.0.1:9/none", client_ip="127.0.0.1",
            user_id="o_someone", out_trade_no="FOREIGN0001")
        self.sim.call("POST", "pay", out_trade_no="FOREIGN0001",
                      notify=False)
        # Odoo's record says another amount than WeChat collected.
        self.env.cr.execute(
            "UPDATE payment_transaction SET wechatpay_total_fee = 999 "
            "WHERE id = %s", [tx.id])
        tx.invalidate_cache()
        bill = self.check_today()
        self.assertEqual(bill.state, "mismatch")
        causes = {(m.reference, m.cause) for m in bill.mismatch_ids}
        self.assertEqual(causes, {("FOREIGN0001", "missing_in_odoo"),
                                  (tx.wechatpay_out_trade_no, "amount")})

    def test_a_day_without_bill(self):
        bill = self.check_today()
        self.assertEqual(bill.state, "matched")
        self.assertEqual(bill.payment_count, 0)
        self.sim.fault("downloadbill", http_status=500)
        bill.action_check()
        self.assertEqual(bill.state, "error")
        self.assertIn("HTTP_500", bill.error)
