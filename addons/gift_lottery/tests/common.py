# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Gift lottery tests: the mini-program API over real HTTP, WeChat Pay on
the simulator (see payment_wechatpay's tests)."""
import datetime

from odoo import fields

from odoo.addons.payment_wechatpay.tests.common import WechatPayCase

ADDRESS = {"name": "王小明", "phone": "13800138000", "province": "浙江省",
           "city": "杭州市", "district": "西湖区", "detail": "龙井路 1 号"}


def iso_in(**delta):
    """An ISO 8601 time (UTC offset) from now."""
    return (datetime.datetime.utcnow() + datetime.timedelta(**delta)) \
        .replace(microsecond=0).isoformat() + "+00:00"


def utc_in(**delta):
    return fields.Datetime.to_string(
        datetime.datetime.utcnow() + datetime.timedelta(**delta))


class GiftCase(WechatPayCase):
    """alice is the buyer; ``self.gift`` a gift of 19.90 CNY."""

    def setUp(self):
        super(GiftCase, self).setUp()
        self.category = self.env["gift.category"].create({"name": "Tea"})
        self.gift = self.env["product.product"].create({
            "name": "Tea box", "type": "consu", "list_price": 19.9,
            "gift_ok": True, "gift_home": True,
            "gift_category_id": self.category.id,
            "invoice_policy": "order", "taxes_id": [(6, 0, [])],
        })
        self.users = {}

    def user(self, name):
        """(token, partner) of simulator user ``name``, logged in once."""
        if name not in self.users:
            login = self.login(name)
            self.users[name] = (login["token"], self.env["res.partner"]
                                .browse(login["profile"]["id"]))
        return self.users[name]

    def make_lottery(self, status=200, token=None, **values):
        payload = {"product_id": self.gift.id, "quantity": 2,
                   "method": "timed", "draw_at": iso_in(days=1),
                   "wish": "Good luck"}
        payload.update(values)
        response = self.api("POST", "gift_lotteries",
                            token=token or self.alice["token"], json=payload)
        self.assertEqual(response.status_code, status, response.text)
        return response.json()

    def paid_lottery(self, **values):
        """A lottery created and paid through WeChat Pay (notify
        applied)."""
        body = self.make_lottery(**values)
        lottery = self.env["gift.lottery"].browse(body["id"])
        pay = self.api("POST", "gift_lotteries/%d/pay" % lottery.id,
                       token=self.alice["token"], json={}).json()
        tx = self.env["payment.transaction"].browse(pay["transaction_id"])
        self.pay_as_user(tx)
        self.wait_notify("pay", tx.wechatpay_out_trade_no)
        self.assertEqual(lottery.state, "open")
        return lottery

    def join(self, lottery, name, status=200, code=None, **payload):
        token = self.user(name)[0]
        response = self.api("POST", "gift_shares/join", token=token,
                            json=dict(payload, token=lottery.share_token))
        if status != 200:
            self.assertError(response, status, code)
        else:
            self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def check(self, lottery, name):
        response = self.api(
            "GET", "gift_shares/check?token=%s" % lottery.share_token,
            token=self.user(name)[0] if name != "alice"
            else self.alice["token"])
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def refunds(self, lottery):
        return lottery.sale_order_id.wechatpay_transaction_ids \
            .wechatpay_refund_ids
