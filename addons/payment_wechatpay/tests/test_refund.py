# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError

from .common import WechatPayCase


class TestRefund(WechatPayCase):

    def refund_by_wizard(self, tx, amount, destination="original"):
        action = tx.wechatpay_invoice_id.action_wechatpay_refund()
        wizard = tx.env["wechatpay.refund.wizard"].with_context(
            action["context"]).create({"amount": amount,
                                       "reason": "Event cancelled",
                                       "destination": destination})
        self.assertEqual(wizard.transaction_id, tx)
        result = wizard.action_refund()
        # The accountant stays on the invoice, which lists the refund.
        self.assertEqual(result["type"], "ir.actions.act_window_close")
        invoice = tx.wechatpay_invoice_id
        invoice.invalidate_cache()
        refund = invoice.wechatpay_refund_ids.sorted("id")[-1:]
        self.assertEqual(refund.reason, "Event cancelled")
        return refund.sudo()

    def test_partial_refund_from_the_invoice(self):
        tx = self.paid_order(price=10.0)
        refund = self.refund_by_wizard(tx, 3.5)
        self.assertEqual(refund.amount_fen, 350)
        self.assertEqual(refund.state, "pending")
        self.assertTrue(refund.name.startswith(
            self.acquirer.wechatpay_number_prefix + "R"))
        self.send_refund(refund)
        self.wait_notify("refund", refund.name)
        self.assertEqual(refund.state, "succeeded")
        credit_note = refund.credit_note_id
        self.assertEqual(credit_note.type, "out_refund")
        self.assertEqual(credit_note.amount_total, 3.5)
        self.assertEqual(credit_note.refund_invoice_id,
                         tx.wechatpay_invoice_id)
        self.assertEqual(credit_note.state, "paid")
        self.assertEqual(refund.payment_id.journal_id, self.journal)
        self.assertEqual(refund.payment_id.payment_type, "outbound")
        self.assertEqual(tx.wechatpay_refunded_fee, 350)
        self.assertBooksBalance()

    def test_full_refund_uses_odoo_credit_note(self):
        tx = self.paid_order(price=8.0)
        refund = self.env["wechatpay.refund"]._request(tx, 800, "whole")
        self.send_refund(refund)
        self.wait_notify("refund", refund.name)
        self.assertEqual(refund.state, "succeeded")
        self.assertEqual(refund.credit_note_id.amount_total, 8.0)
        self.assertEqual(refund.credit_note_id.state, "paid")
        self.assertBooksBalance()

    def test_over_refund_and_51st_refund_are_refused(self):
        tx = self.paid_order(price=1.0)
        Refund = self.env["wechatpay.refund"]
        Refund._request(tx, 60, "first")
        with self.assertRaises(UserError):
            Refund._request(tx, 41, "too much")
        with self.assertRaises(UserError):
            Refund._request(tx, 0, "nothing")
        tx2 = self.paid_order(price=1.0)
        for _i in range(50):
            Refund._request(tx2, 1, "one fen")
        with self.assertRaises(UserError):
            Refund._request(tx2, 1, "the 51st")
        self.assertEqual(len(tx2.wechatpay_refund_ids), 50)

    def test_retry_reuses_out_refund_no(self):
        tx = self.paid_order()
        self.sim.fault("refund", err_code="SYSTEMERROR")
        refund = self.env["wechatpay.refund"]._request(tx, 100, "retry")
        self.send_refund(refund)
        self.assertEqual(refund.state, "pending")
        self.assertIn("SYSTEMERROR", refund.error)
        self.env["wechatpay.refund"]._cron_settle(auto_commit=False)
        self.wait_notify("refund", refund.name)
        self.assertEqual(refund.state, "succeeded")
        [order] = self.sim.call("GET", "orders?out_trade_no=" +
                                tx.wechatpay_out_trade_no)["orders"]
        self.assertEqual([r["out_refund_no"] for r in order["refunds"]],
                         [refund.name])
        self.assertBooksBalance()

    def test_query_cron_settles_without_notify(self):
        self.sim.call("POST", "settings", auto_refund=False)
        tx = self.paid_order()
        refund = self.env["wechatpay.refund"]._request(tx, 200, "slow")
        self.send_refund(refund)
        self.assertTrue(refund.wechat_refund_id)
        self.env["wechatpay.refund"]._cron_settle(auto_commit=False)
        self.assertEqual(refund.state, "pending")  # still PROCESSING
        # WeChat finishes it; its notify is lost, the query finds it.
        self.sim.call("POST", "settings", refund_notify_delay=60)
        self.sim.call("POST", "refund-result", out_refund_no=refund.name,
                      status="SUCCESS")
        self.env["wechatpay.refund"]._cron_settle(auto_commit=False)
        self.assertEqual(refund.state, "succeeded")
        self.assertTrue(refund.succeeded_at)

    def test_closed_refund_frees_the_amount(self):
        self.sim.call("POST", "settings", auto_refund=False)
        tx = self.paid_order()
        refund = self.env["wechatpay.refund"]._request(tx, 1000, "all")
        self.send_refund(refund)
        self.sim.call("POST", "refund-result", out_refund_no=refund.name,
                      status="REFUNDCLOSE")
        self.wait_notify("refund", refund.name)
        self.assertEqual(refund.state, "closed")
        self.assertEqual(tx.wechatpay_refunded_fee, 0)
        self.assertFalse(refund.credit_note_id)

    def test_forged_refund_notify_changes_nothing(self):
        tx = self.paid_order()
        self.sim.call("POST", "settings", auto_refund=False)
        refund = self.env["wechatpay.refund"]._request(tx, 100, "x")
        self.send_refund(refund)
        for body in (
                "<xml><return_code>SUCCESS</return_code><appid>"
                "wxd0000000000demo</appid><mch_id>1900000109</mch_id>"
                "<req_info>Zm9yZ2Vk</req_info></xml>",
                "<xml><return_code>SUCCESS</return_code></xml>",
                "garbage"):
            self.assertEqual(self.post_notify("refund", body).status_code,
                             400)
        self.assertEqual(refund.state, "pending")

    def test_refund_to_wallet(self):
        tx = self.paid_order(price=10.0)
        # An accountant (Billing), not the administrator, refunds.
        accountant = self.env["res.users"].create({
            "name": "Accountant", "login": "test-accountant",
            "email": "accountant@example.com",
            "groups_id": [(6, 0, [
                self.env.ref("base.group_user").id,
                self.env.ref("account.group_account_invoice").id])],
        })
        tx = tx.sudo(accountant)
        refund = self.refund_by_wizard(tx, 4.0, destination="wallet")
        self.assertEqual(refund.state, "succeeded")  # no WeChat call
        wallet = self.env["wechatpay.wallet"]._of(self.alice_partner,
                                                  self.company)
        self.assertEqual(wallet.balance_fen, 400)
        self.assertEqual(refund.payment_id.journal_id, self.wallet_journal)
        self.assertEqual(refund.credit_note_id.state, "paid")
        self.assertEqual(self.wallet_account_change(), -4.0)
        self.assertEqual(self.sim.stats()["calls"].get("refund", 0), 0)
        self.assertBooksBalance()

    def test_accountants_cannot_write_money_over_rpc(self):
        tx = self.paid_order(price=10.0)
        refund = self.env["wechatpay.refund"]._request(tx, 100, "x")
        accountant = self.env["res.users"].create({
            "name": "Accountant", "login": "test-accountant-2",
            "email": "accountant2@example.com",
            "groups_id": [(6, 0, [
                self.env.ref("base.group_user").id,
                self.env.ref("account.group_account_invoice").id])],
        })
        as_accountant = tx.sudo(accountant)
        for values in ({"state": "pending"}, {"wechatpay_total_fee": 99999},
                       {"partner_id": self.company.partner_id.id}):
            with self.assertRaises(AccessError):
                as_accountant.write(values)
        with self.assertRaises(AccessError):
            refund.sudo(accountant).write({"state": "pending"})
        with self.assertRaises(AccessError):
            self.env["payment.transaction"].sudo(accountant).create({
                "acquirer_id": self.acquirer.id, "amount": 1.0,
                "currency_id": tx.currency_id.id, "state": "done",
                "reference": "forged", "partner_id": tx.partner_id.id})
        # What they may do: read it, and refund through the checks.
        self.assertEqual(as_accountant.wechatpay_total_fee, 1000)
        self.assertEqual(as_accountant.state, "done")
