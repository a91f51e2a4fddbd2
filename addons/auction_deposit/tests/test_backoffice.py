# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError

from .common import AuctionCase


class TestBackOffice(AuctionCase):
    """As an auction user and manager (not administrators)."""

    def staff(self, login, group):
        return self.env["res.users"].create({
            "name": login, "login": login, "email": login + "@example.com",
            "groups_id": [(6, 0, [self.env.ref(group).id])],
        })

    def test_views_load_and_rights_hold(self):
        user = self.staff("auction-user", "auction_deposit.group_auction_user")
        for xml_id in ("action_auction_session", "action_auction_lot",
                       "action_auction_bid", "action_auction_deposit",
                       "action_auction_coupon"):
            action = self.env.ref("auction_deposit." + xml_id)
            model = self.env[action.res_model].sudo(user)
            views = [(False, mode) for mode in action.view_mode.split(",")]
            loaded = model.load_views(views + [(False, "search")])
            self.assertTrue(loaded["fields_views"])
            view = model.fields_view_get(view_type="form") \
                if "form" in action.view_mode else None
            if view:
                model.search([], limit=1).read(list(view["fields"]))
        # A user reads, does not edit; nobody changes a bid.
        with self.assertRaises(AccessError):
            self.lot.sudo(user).write({"start_fen": 1})
        bid = self.env["auction.bid"].create({
            "lot_id": self.lot.id, "partner_id": self.alice_partner.id,
            "amount_fen": 100000})
        with self.assertRaises(UserError):
            bid.write({"amount_fen": 1})
        with self.assertRaises(UserError):
            bid.unlink()

    def test_manager_publishes_and_cancels(self):
        manager = self.staff("auction-manager",
                             "auction_deposit.group_auction_manager")
        session = self.auction.sudo(manager)
        session.write({"published": False})
        session.action_publish()
        self.assertTrue(self.auction.published)
        session.action_cancel()
        self.assertEqual(self.auction.state, "cancelled")
