# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import fields

from odoo.addons.payment_wechatpay.tests.common import WechatPayCase


def utc_in(**delta):
    return fields.Datetime.to_string(
        datetime.datetime.utcnow() + datetime.timedelta(**delta))


class AuctionCase(WechatPayCase):
    """A published session bidding now, one lot; alice logged in."""

    def setUp(self):
        super(AuctionCase, self).setUp()
        self.auction = self.env["auction.session"].create({
            "name": "Spring ink paintings",
            "published": True,
            "preview_start": utc_in(days=-2),
            "preview_end": utc_in(hours=-1),
            "bidding_start": utc_in(hours=-1),
            "bidding_end": utc_in(hours=2),
            "deposit_fen": 50000,
            "premium_percent": 10.0,
        })
        self.lot = self.env["auction.lot"].create({
            "session_id": self.auction.id, "catalogue_no": "001",
            "name": "Plum blossoms", "start_fen": 100000,
            "reserve_fen": 150000, "deposit_fen": 20000,
        })

    def deposit(self, partner, lot=None, paid=True):
        """A paid deposit of ``partner`` (made as if WeChat paid it)."""
        deposit = self.env["auction.deposit"].create({
            "partner_id": partner.id, "session_id": self.auction.id,
            "lot_id": lot.id if lot else False,
            "amount_fen": lot.deposit_fen if lot else
            self.auction.deposit_fen,
        })
        if paid:
            deposit._mark_paid()
        return deposit

    def bid(self, token, amount, key, lot=None, max_fen=None, status=200):
        lot = lot or self.lot
        payload = {"amount_fen": amount, "key": key}
        if max_fen:
            payload["max_fen"] = max_fen
        response = self.api("POST", "auction_lots/%d/bid" % lot.id,
                            token=token, json=payload)
        self.assertEqual(response.status_code, status, response.text)
        return response.json()

    def user(self, name):
        login = self.login(name)
        return login["token"], self.env["res.partner"].browse(
            login["profile"]["id"])
