# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import common

from odoo.addons.gift_lottery.draw import rank_tickets


class TestBackoffice(common.TransactionCase):
    """Staff of the gift lotteries: their menus and views load, the demo
    data's draw verifies, and shipping is theirs to do."""

    def setUp(self):
        super(TestBackoffice, self).setUp()
        self.staff = self.env["res.users"].create({
            "name": "Gift staff", "login": "gift-staff",
            "email": "gift-staff@example.com",
            "groups_id": [(6, 0, [
                self.env.ref("gift_lottery.group_gift_user").id])],
        })

    def test_every_action_loads_for_staff(self):
        menu = self.env.ref("gift_lottery.menu_gift_root")
        menus = self.env["ir.ui.menu"].sudo(self.staff).search(
            [("id", "child_of", menu.id)])
        actions = [m.action for m in menus
                   if m.action and m.action._name == "ir.actions.act_window"]
        self.assertGreaterEqual(len(actions), 5)
        for action in actions:
            model = self.env[action.res_model].sudo(self.staff)
            for view_type in action.view_mode.split(","):
                model.fields_view_get(view_type=view_type)
            model.search_read([], limit=5)

    def test_demo_draw_verifies(self):
        lottery = self.env.ref("gift_lottery.demo_lottery_drawn")
        proof = lottery._verify()
        self.assertTrue(proof["verified"])
        tickets = proof["tickets"].split("\n")
        self.assertEqual(rank_tickets(proof["seed"], tickets)[:2],
                         [w["ticket"] for w in proof["winners"]])

    def test_staff_ship_a_claimed_prize(self):
        prize = self.env.ref("gift_lottery.demo_prize_drawn_2").sudo(
            self.staff)
        prize.write({"carrier": "EMS", "tracking_ref": "EMS0001"})
        prize.action_ship()
        self.assertEqual(prize.state, "shipped")
        self.assertEqual(prize.lottery_id.state, "done")
