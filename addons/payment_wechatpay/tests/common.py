# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""WeChat Pay tests: the real HTTP stack, the simulator's pay half.

The simulator plays WeChat Pay at ``WECHAT_SIM_URL`` and posts its
notifies to the test server (``/payment/wechatpay/notify/...``), which
applies them on the test cursor; tests wait for the simulator to record
the delivery, then read the result.
"""
import time

import requests
from wechatpy.pay import WeChatPay

from odoo.tests import common

from odoo.addons.queue_job.job import Job

from odoo.addons.base_wechat_miniprogram.tests.common import (
    SIM_APP_ID, SIM_URL, MiniProgramCase)

MCH_ID = "1900000109"
API_KEY = "demo-mch-api-key-000000000000000"


class WechatPayCase(MiniProgramCase):
    """A user "alice" logged in, WeChat Pay on the simulator, a product."""

    def setUp(self):
        super(WechatPayCase, self).setUp()
        self.acquirer = self.env.ref(
            "payment_wechatpay.payment_acquirer_wechatpay")
        self.acquirer.write({
            "environment": "test",
            "wechatpay_mch_id": MCH_ID,
            "wechatpay_api_key": API_KEY,
            "wechatpay_api_root": SIM_URL,
            "wechatpay_notify_base_url": "http://%s:%s" % (
                common.HOST, common.PORT),
            "wechatpay_timeout": 5,
            "wechatpay_number_prefix": "T%d" % (int(time.time()) % 100000),
            "website_published": True,
            "wechatpay_payout_enabled": True,
            "wechatpay_payout_min_fen": 30,
            "wechatpay_payout_daily_cap_fen": 500000,
        })
        self.journal = self.acquirer.journal_id
        self.wallet_journal = self.company._wechatpay_wallet_journal()
        self.journal_opening = self.account_balance(
            self.journal.default_debit_account_id)
        self.wallet_opening = self.account_balance(
            self.company.wechatpay_wallet_account_id)
        # The test and the server share one cursor: a refund notify must
        # not arrive while the test still runs the refund call.
        self.sim.call("POST", "settings", refund_notify_delay=0.3)
        self.alice = self.login("alice")
        self.alice_partner = self.env["res.partner"].browse(
            self.alice["profile"]["id"])
        self.product = self.env["product.product"].create({
            "name": "Ticket", "type": "service", "invoice_policy": "order",
            "list_price": 10.0, "taxes_id": [(6, 0, [])],
        })

    # -- documents -----------------------------------------------------------

    def make_order(self, partner=None, price=10.0):
        partner = partner or self.alice_partner
        return self.env["sale.order"].create({
            "partner_id": partner.id,
            "order_line": [(0, 0, {
                "product_id": self.product.id, "product_uom_qty": 1,
                "price_unit": price, "tax_id": [(6, 0, [])],
            })],
        })

    def open_payment(self, order, token=None):
        """``POST /mp/v1/payments`` as alice; the transaction."""
        response = self.api("POST", "payments", token=token or
                            self.alice["token"],
                            json={"order_id": order.id})
        self.assertEqual(response.status_code, 200, response.text)
        return self.env["payment.transaction"].browse(
            response.json()["transaction_id"])

    def paid_order(self, price=10.0):
        """An order paid by WeChat Pay, notify applied; its transaction."""
        order = self.make_order(price=price)
        tx = self.open_payment(order)
        self.pay_as_user(tx)
        self.wait_notify("pay", tx.wechatpay_out_trade_no)
        self.assertEqual(tx.state, "done")
        return tx

    # -- the simulator -------------------------------------------------------

    def pay_as_user(self, tx, **options):
        # A savepoint: a notify that fails rolls back to here, not further.
        self.env.cr.commit()  # pylint: disable=invalid-commit
        return self.sim.call("POST", "pay",
                             out_trade_no=tx.wechatpay_out_trade_no,
                             **options)

    def send_refund(self, refund):
        """Send ``refund`` to WeChat; its notify follows."""
        refund._send()
        self.env.cr.commit()  # pylint: disable=invalid-commit

    def notifies(self, kind, key):
        return self.sim.call("GET", "notifies?kind=%s&key=%s" % (kind, key))[
            "notifies"]

    def wait_notify(self, kind, key, count=1, timeout=20):
        """Wait until ``count`` deliveries of the notify were answered;
        returns them."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            done = [n for n in self.notifies(kind, key) if n["status"]]
            if len(done) >= count:
                self.env.clear()
                self.perform_jobs("_wechatpay_book_invoice")
                return done
            time.sleep(0.05)
        self.fail("no %s notify for %s answered in %ss" % (kind, key,
                                                           timeout))

    def perform_jobs(self, method_name):
        """Run the queued jobs of ``method_name``, as the job runner
        would after the commit."""
        for record in self.env["queue.job"].search([
                ("state", "=", "pending"),
                ("method_name", "=", method_name)]):
            job = Job.load(self.env, record.uuid)
            job.perform()
            job.set_done()
            job.store()
        self.env.clear()

    def post_notify(self, kind, body):
        """Post a notify body ourselves (a forger, or a replay)."""
        self.env.cr.commit()  # pylint: disable=invalid-commit
        response = requests.post(
            "http://%s:%s/payment/wechatpay/notify/%s" % (
                common.HOST, common.PORT, kind),
            data=body.encode("utf-8") if isinstance(body, str) else body,
            headers={"Content-Type": "text/xml"}, timeout=20)
        self.env.clear()
        self.perform_jobs("_wechatpay_book_invoice")
        return response

    def wechatpay(self, api_key=API_KEY, mch_id=MCH_ID):
        """wechatpy's client on the simulator, as a test's own tool."""
        client = WeChatPay(SIM_APP_ID, api_key, mch_id, timeout=5)
        client.API_BASE_URL = SIM_URL.rstrip("/") + "/"
        return client

    # -- accounting ----------------------------------------------------------

    def account_balance(self, account, partner=None):
        domain = [("account_id", "=", account.id),
                  ("move_id.state", "=", "posted")]
        if partner:
            domain.append(("partner_id", "=", partner.id))
        lines = self.env["account.move.line"].search(domain)
        return round(sum(lines.mapped("debit")) - sum(lines.mapped("credit")),
                     2)

    def wallet_account_change(self):
        """How the wallet liability account moved during the test."""
        return round(self.account_balance(
            self.company.wechatpay_wallet_account_id) - self.wallet_opening,
            2)

    def assertBooksBalance(self):
        """Every posted move balances, and the WeChat Pay account holds
        what the simulator collected less what it paid back and out."""
        self.env.cr.execute("""
            SELECT move_id FROM account_move_line GROUP BY move_id
            HAVING round(sum(debit) - sum(credit), 2) != 0""")
        self.assertFalse(self.env.cr.fetchall())
        orders = self.sim.call("GET", "orders")["orders"]
        collected = sum(o["total_fee"] for o in orders
                        if o["transaction_id"])
        refunded = sum(r["refund_fee"] for o in orders
                       for r in o["refunds"]
                       if r["refund_status"] == "SUCCESS")
        paid_out = sum(t["amount"] for t in self.sim.call(
            "GET", "transfers")["transfers"])
        # Rounded: the opening (earlier payments) makes a float sum.
        self.assertEqual(
            round(self.account_balance(self.journal.default_debit_account_id)
                  - self.journal_opening, 2),
            round((collected - refunded - paid_out) / 100.0, 2))
