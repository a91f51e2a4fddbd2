# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import fields

from .common import EventCase, utc_in


class TestJoin(EventCase):

    def test_free_join_is_confirmed_once_per_user(self):
        event = self.make_event(capacity=5)
        body = self.join(event)
        self.assertIsNone(body["payment"])
        registration = self.registration(body)
        self.assertEqual(registration.mp_stage, "confirmed")
        self.assertEqual(registration.state, "open")
        self.assertEqual(registration.mp_payment_state, "free")
        self.assertRegex(registration.mp_code, r"^\d{15}$")
        again = self.api("POST", "events/%d/join" % event.id,
                         token=self.alice["token"], json={})
        self.assertError(again, 409, "already_joined")
        self.assertEqual(event.mp_seats_taken, 1)

    def test_free_join_with_approval_waits_for_review(self):
        event = self.make_event(mp_approval=True)
        registration = self.registration(self.join(event))
        self.assertEqual(registration.mp_stage, "to_review")
        self.assertEqual(event.mp_seats_taken, 1)  # the seat is held
        registration.action_mp_approve()
        self.assertEqual(registration.mp_stage, "confirmed")

    def test_form_answers_are_checked_against_the_form(self):
        event = self.make_event()
        Field = self.env["event.mp.form.field"]
        name = Field.create({"event_id": event.id, "name": "Name"})
        phone = Field.create({"event_id": event.id, "name": "Phone",
                              "kind": "phone"})
        id_number = Field.create({"event_id": event.id, "name": "ID",
                                  "kind": "id_number"})
        size = Field.create({"event_id": event.id, "name": "Size",
                             "kind": "single", "options": "S\nM\nL"})
        diet = Field.create({"event_id": event.id, "name": "Diet",
                             "kind": "multiple", "options": "veg\nhalal",
                             "required": False})
        day = Field.create({"event_id": event.id, "name": "Birthday",
                            "kind": "date", "required": False})
        count = Field.create({"event_id": event.id, "name": "Friends",
                              "kind": "number", "required": False})
        bad = {str(name.id): "", str(phone.id): "12345",
               str(id_number.id): "11010519491231002X"[:17] + "1",
               str(size.id): "XXL", str(diet.id): ["veg", "beef"],
               str(day.id): "2024-13-01", str(count.id): "many",
               "999999": "?"}
        body = self.api("POST", "events/%d/join" % event.id,
                        token=self.alice["token"],
                        json={"answers": bad}).json()
        self.assertEqual(body["error"]["code"], "invalid_input")
        self.assertEqual(set(body["error"]["details"]), set(bad))
        self.assertFalse(event.registration_ids)
        good = {str(name.id): "王小明", str(phone.id): "13800138000",
                str(id_number.id): "11010519491231002X",
                str(size.id): "M", str(diet.id): ["veg", "halal"],
                str(day.id): "1990-05-04"}
        registration = self.registration(self.join(event, answers=good))
        answers = {a.field_id: a.value for a in registration.mp_answer_ids}
        self.assertEqual(answers[diet], "veg\nhalal")
        self.assertEqual(answers[count], "")
        self.assertIn("Size: M", registration.mp_answers_summary)
        # The next activity's form is pre-filled from these answers.
        other = self.make_event()
        Field.create({"event_id": other.id, "name": "Phone",
                      "kind": "phone"})
        other_diet = Field.create({"event_id": other.id, "name": "Diet",
                                   "kind": "multiple",
                                   "options": "veg\nhalal"})
        form = self.api("GET", "events/%d/form" % other.id,
                        token=self.alice["token"]).json()
        self.assertEqual(len(form["fields"]), 2)
        self.assertEqual(form["prefill"][str(other_diet.id)],
                         ["veg", "halal"])
        self.assertIn("13800138000", form["prefill"].values())

    def test_closed_ended_stopped_and_full_activities_refuse(self):
        bob_token, _bob = self.user("bob")
        full = self.make_event(capacity=1)
        self.join(full, token=bob_token)
        for event, code in (
                (full, "full"),
                (self.make_event(mp_deadline=utc_in(hours=-1)), "closed"),
                (self.make_event(date_begin=utc_in(hours=-3),
                                 date_end=utc_in(hours=-1)), "closed"),
                (self.make_event(mp_stopped=True), "closed")):
            response = self.api("POST", "events/%d/join" % event.id,
                                token=self.alice["token"], json={})
            self.assertError(response, 409, code)
        unpublished = self.make_event(mp_published=False)
        self.assertError(self.api(
            "POST", "events/%d/join" % unpublished.id,
            token=self.alice["token"], json={}), 404)

    def test_paid_join_holds_a_seat_until_paid(self):
        event = self.make_event(capacity=1, mp_fee_fen=2500,
                                mp_payment_minutes=6)
        body = self.join(event)
        registration = self.registration(body)
        self.assertEqual(registration.mp_stage, "to_pay")
        payment = body["payment"]
        self.assertEqual(payment["amount_fen"], 2500)
        self.assertTrue(payment["request_payment"]["paySign"])
        expire = fields.Datetime.from_string(registration.mp_pay_deadline)
        self.assertAlmostEqual(
            (expire - datetime.datetime.utcnow()).total_seconds(), 360,
            delta=30)
        # The held seat makes the activity full for others.
        bob_token, _bob = self.user("bob")
        self.assertError(self.api("POST", "events/%d/join" % event.id,
                                  token=bob_token, json={}), 409, "full")
        tx = self.pay_registration(body)
        self.assertEqual(registration.mp_stage, "confirmed")
        self.assertEqual(registration.mp_payment_state, "paid")
        self.assertEqual(registration.mp_paid_fen, 2500)
        self.assertEqual(registration.sale_order_id.state, "sale")
        self.assertEqual(tx.wechatpay_invoice_id.state, "paid")
        detail = self.api("GET", "events/%d" % event.id,
                          token=self.alice["token"]).json()
        self.assertEqual(detail["my_registration"]["stage"], "confirmed")
        self.assertEqual(detail["my_registration"]["tag"], "已报名缴费")
        self.assertBooksBalance()

    def test_paid_join_with_approval_goes_to_review_after_payment(self):
        event = self.make_event(mp_fee_fen=1000, mp_approval=True)
        body = self.join(event)
        self.pay_registration(body)
        registration = self.registration(body)
        self.assertEqual(registration.mp_stage, "to_review")
        self.assertEqual(registration.mp_payment_state, "paid")

    def test_repay_reuses_the_open_payment(self):
        event = self.make_event(mp_fee_fen=1000)
        body = self.join(event)
        again = self.api("POST", "registrations/%d/pay"
                         % body["registration_id"],
                         token=self.alice["token"])
        self.assertEqual(again.status_code, 200, again.text)
        self.assertEqual(again.json()["transaction_id"],
                         body["payment"]["transaction_id"])

    def test_unpaid_sign_up_is_cancelled_and_its_seat_released(self):
        event = self.make_event(capacity=1, mp_fee_fen=1000)
        body = self.join(event)
        registration = self.registration(body)
        tx = self.env["payment.transaction"].browse(
            body["payment"]["transaction_id"])
        tx.wechatpay_expire_at = utc_in(minutes=-1)
        self.env["payment.transaction"]._cron_wechatpay_reconcile(
            auto_commit=False)
        self.assertEqual(registration.mp_stage, "cancelled")
        self.assertEqual(registration.mp_cancelled_by, "unpaid")
        self.assertEqual(registration.cancel_reason_id, self.env.ref(
            "event_miniprogram.cancel_reason_unpaid"))
        self.assertEqual(registration.sale_order_id.state, "cancel")
        self.assertEqual(event.mp_seats_taken, 0)
        # Kept, and listed among "cancelled by staff/system".
        listed = self.api("GET", "registrations?status=cancelled_by_staff",
                          token=self.alice["token"]).json()
        self.assertEqual([i["id"] for i in listed["items"]],
                         [registration.id])

    def _paid_after_cancellation(self, event):
        """A sign-up the reconciliation gave up on while the user was
        paying: WeChat's notify comes after the cancellation."""
        body = self.join(event)
        registration = self.registration(body)
        tx = self.env["payment.transaction"].browse(
            body["payment"]["transaction_id"])
        self.pay_as_user(tx, notify=False)
        tx._wechatpay_cancel("test: payment time over")
        self.assertEqual(registration.mp_stage, "cancelled")
        return registration, tx

    def _late_notify(self, tx):
        self.sim.call("POST", "notify-again",
                      out_trade_no=tx.wechatpay_out_trade_no)
        self.wait_notify("pay", tx.wechatpay_out_trade_no)

    def test_late_payment_retakes_a_free_seat(self):
        event = self.make_event(capacity=1, mp_fee_fen=1000)
        registration, tx = self._paid_after_cancellation(event)
        self._late_notify(tx)
        self.assertEqual(registration.mp_stage, "confirmed")
        self.assertEqual(registration.mp_payment_state, "paid")
        self.assertEqual(registration.sale_order_id.state, "sale")
        self.assertFalse(tx.wechatpay_refund_ids)
        self.assertBooksBalance()

    def test_late_payment_is_refunded_when_the_seat_is_gone(self):
        event = self.make_event(capacity=1, mp_fee_fen=1000)
        registration, tx = self._paid_after_cancellation(event)
        bob_token, _bob = self.user("bob")
        event.mp_fee_fen = 0
        self.join(event, token=bob_token)
        self._late_notify(tx)
        self.assertEqual(registration.mp_stage, "cancelled")
        self.assertTrue(tx.wechatpay_late)
        self.assertEqual(tx.wechatpay_refund_ids.amount_fen, 1000)

    def test_offline_fee_is_owed_until_staff_record_it(self):
        event = self.make_event(mp_fee_fen=3000, mp_payment_method="offline")
        body = self.join(event)
        self.assertIsNone(body["payment"])
        registration = self.registration(body)
        self.assertEqual(registration.mp_stage, "confirmed")
        self.assertEqual(registration.mp_payment_state, "unpaid")
        registration.action_mp_record_offline_payment()
        self.assertEqual(registration.mp_payment_state, "paid")
        self.assertTrue(registration.mp_paid_offline)
        self.assertEqual(registration.mp_paid_fen, 3000)

    def test_staff_add_a_sign_up_on_behalf(self):
        event = self.make_event(mp_fee_fen=3000, mp_approval=True,
                                mp_deadline=utc_in(hours=-1))
        Field = self.env["event.mp.form.field"]
        Field.create({"event_id": event.id, "name": "Name"})
        wizard = self.env["event.mp.register.wizard"].create({
            "event_id": event.id, "partner_id": self.alice_partner.id})
        wizard.action_register()
        registration = event.registration_ids
        self.assertTrue(registration.mp_on_behalf)
        self.assertEqual(registration.mp_stage, "confirmed")
        self.assertEqual(registration.mp_payment_state, "unpaid")
        with self.assertRaises(Exception):
            self.env["event.mp.register.wizard"].create({
                "event_id": event.id,
                "partner_id": self.alice_partner.id}).action_register()
