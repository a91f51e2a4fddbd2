# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from .common import EventCase


class TestBackOffice(EventCase):
    """What staff do, as an event user (not an administrator)."""

    def setUp(self):
        super(TestBackOffice, self).setUp()
        self.staff_user = self.env["res.users"].create({
            "name": "Event desk", "login": "event-desk",
            "email": "desk@example.com",
            "groups_id": [(6, 0, [
                self.env.ref("base.group_user").id,
                self.env.ref("event.group_event_user").id])],
        })

    def as_staff(self, records):
        return records.sudo(self.staff_user)

    def test_views_and_menus_load(self):
        for xml_id in ("action_event_mp_event", "action_event_mp_registration",
                       "action_event_mp_waitlist", "action_event_mp_review"):
            action = self.env.ref("event_miniprogram." + xml_id)
            model = self.as_staff(self.env[action.res_model])
            modes = action.view_mode.split(",")
            views = [(view.view_id.id, view.view_mode)
                     for view in action.view_ids] + [
                (False, mode) for mode in modes
                if mode not in action.view_ids.mapped("view_mode")]
            loaded = model.load_views(views + [(False, "search")])
            self.assertEqual(set(loaded["fields_views"]),
                             set(modes) | {"search"}, xml_id)
        menus = self.env["ir.ui.menu"].sudo(self.staff_user).load_menus(
            debug=False)
        names = str(menus)
        self.assertIn("Sign-ups", names)

    def test_staff_approve_reject_check_in_and_add(self):
        event = self.make_event(mp_approval=True, mp_fee_fen=2000)
        body = self.join(event)
        self.pay_registration(body)
        registration = self.registration(body)
        # The desk opens the sign-up's form.
        view = self.as_staff(self.env["event.registration"]).fields_view_get(
            view_type="form")
        self.as_staff(registration).read(list(view["fields"]))
        view = self.as_staff(self.env["event.event"]).fields_view_get(
            view_type="form")
        self.as_staff(event).read(list(view["fields"]))
        # Approve from the list (the server action), then reject: the
        # payment is refunded by the desk user's decision.
        action = self.env.ref(
            "event_miniprogram.action_event_mp_registration_approve")
        action.sudo(self.staff_user).with_context(
            active_model="event.registration", active_ids=registration.ids,
            active_id=registration.id).run()
        self.assertEqual(registration.mp_stage, "confirmed")
        wizard = self.as_staff(self.env["event.mp.decision.wizard"]).create({
            "registration_ids": [(6, 0, registration.ids)],
            "mode": "reject", "note": "Full group"})
        wizard.action_confirm()
        self.assertEqual(registration.mp_stage, "rejected")
        transactions = registration.sale_order_id.wechatpay_transaction_ids
        self.assertEqual(len(transactions.wechatpay_refund_ids), 1)
        # Add someone at the desk, check them in by code.
        bob_token, bob = self.user("bob")
        self.as_staff(self.env["event.mp.register.wizard"]).create({
            "event_id": event.id, "partner_id": bob.id}).action_register()
        bob_registration = event.registration_ids.filtered(
            lambda r: r.partner_id == bob)
        self.as_staff(bob_registration).action_mp_record_offline_payment()
        checkin = self.as_staff(self.env["event.mp.checkin.wizard"]).create({
            "event_id": event.id, "code": bob_registration.mp_code})
        checkin.action_check_in()
        self.assertEqual(bob_registration.mp_stage, "attended")
