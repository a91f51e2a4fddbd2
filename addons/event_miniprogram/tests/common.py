# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Activity tests: the mini-program API over real HTTP, WeChat Pay on the
simulator (see payment_wechatpay's tests)."""
import datetime

from odoo import fields

from odoo.addons.payment_wechatpay.tests.common import WechatPayCase


def utc_in(**delta):
    return fields.Datetime.to_string(
        datetime.datetime.utcnow() + datetime.timedelta(**delta))


class EventCase(WechatPayCase):
    """alice logged in; ``make_event`` makes published activities."""

    def setUp(self):
        super(EventCase, self).setUp()
        self.category = self.env["event.type"].create({"name": "Hiking"})

    def make_event(self, **values):
        vals = {
            "name": "Test activity",
            "event_type_id": self.category.id,
            "date_tz": "Asia/Shanghai",
            "date_begin": utc_in(days=3),
            "date_end": utc_in(days=3, hours=3),
            "seats_availability": "unlimited",
            "state": "confirm",
            "mp_published": True,
            "mp_payment_method": "online",
        }
        capacity = values.pop("capacity", None)
        if capacity:
            vals.update(seats_availability="limited", seats_max=capacity)
        vals.update(values)
        return self.env["event.event"].create(vals)

    def join(self, event, token=None, answers=None, status=200):
        response = self.api("POST", "events/%d/join" % event.id,
                            token=token or self.alice["token"],
                            json={"answers": answers or {}})
        self.assertEqual(response.status_code, status, response.text)
        return response.json()

    def registration(self, body):
        return self.env["event.registration"].browse(body["registration_id"])

    def pay_registration(self, body):
        """Pay a join's WeChat payment as the user; wait for the notify."""
        tx = self.env["payment.transaction"].browse(
            body["payment"]["transaction_id"])
        self.pay_as_user(tx)
        self.wait_notify("pay", tx.wechatpay_out_trade_no)
        return tx

    def user(self, name):
        login = self.login(name)
        return login["token"], self.env["res.partner"].browse(
            login["profile"]["id"])
