# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from .common import EventCase, utc_in


class TestCancel(EventCase):

    def paid_sign_up(self, **values):
        values.setdefault("mp_fee_fen", 10000)
        event = self.make_event(**values)
        body = self.join(event)
        self.pay_registration(body)
        registration = self.registration(body)
        self.assertEqual(registration.mp_payment_state, "paid")
        return event, registration

    def cancel(self, registration, status=200, token=None):
        response = self.api("POST", "registrations/%d/cancel"
                            % registration.id,
                            token=token or self.alice["token"],
                            json={"reason": "Busy"})
        self.assertEqual(response.status_code, status, response.text)
        return response.json()

    def settle_refund(self, registration):
        refund = registration.sale_order_id.wechatpay_transaction_ids \
            .wechatpay_refund_ids
        self.assertEqual(len(refund), 1)
        self.send_refund(refund)
        self.wait_notify("refund", refund.name)
        self.assertEqual(refund.state, "succeeded")
        return refund

    def test_cancel_refunds_per_schedule_and_books_a_credit_note(self):
        # Starts in 3 days: the 7-day step no longer applies, the 1-day
        # step does (50%).
        event, registration = self.paid_sign_up(date_begin=utc_in(days=3),
                                                date_end=utc_in(days=3,
                                                                hours=2))
        self.env["event.mp.refund.rule"].create(
            {"event_id": event.id, "days_before": 7, "percent": 100})
        self.env["event.mp.refund.rule"].create(
            {"event_id": event.id, "days_before": 1, "percent": 50})
        detail = self.api("GET", "registrations/%d" % registration.id,
                          token=self.alice["token"]).json()
        self.assertEqual(detail["refund_percent"], 50)
        self.assertTrue(detail["can_cancel"])
        body = self.cancel(registration)
        self.assertEqual(body["stage"], "cancelled")
        self.assertEqual(body["refunded_fen"], 5000)
        self.assertEqual(registration.mp_cancelled_by, "user")
        self.assertEqual(registration.mp_cancel_note, "Busy")
        self.assertEqual(event.mp_seats_taken, 0)
        refund = self.settle_refund(registration)
        self.assertEqual(refund.amount_fen, 5000)
        self.assertEqual(refund.credit_note_id.type, "out_refund")
        self.assertEqual(refund.credit_note_id.state, "paid")
        self.assertEqual(refund.credit_note_id.amount_total, 50.0)
        self.assertBooksBalance()
        self.cancel(registration, status=409)

    def test_refund_schedule_steps(self):
        event = self.make_event(date_begin=utc_in(days=10),
                                date_end=utc_in(days=10, hours=1))
        self.assertEqual(event._mp_refund_percent(), 100)  # no schedule
        Rule = self.env["event.mp.refund.rule"]
        Rule.create({"event_id": event.id, "days_before": 7, "percent": 100})
        Rule.create({"event_id": event.id, "days_before": 1, "percent": 50})
        self.assertEqual(event._mp_refund_percent(utc_in(days=1)), 100)
        self.assertEqual(event._mp_refund_percent(utc_in(days=5)), 50)
        self.assertEqual(event._mp_refund_percent(utc_in(days=9, hours=12)),
                         0)

    def test_policies(self):
        not_allowed = self.make_event(mp_cancel_policy="none")
        registration = self.registration(self.join(not_allowed))
        self.cancel(registration, status=409)
        self.assertEqual(registration.mp_stage, "confirmed")
        before = self.make_event(mp_cancel_policy="before_deadline",
                                 mp_deadline=utc_in(hours=2))
        registration = self.registration(self.join(before))
        before.mp_deadline = utc_in(minutes=-1)
        self.cancel(registration, status=409)
        before.mp_deadline = utc_in(hours=1)
        self.assertEqual(self.cancel(registration)["stage"], "cancelled")
        # A free cancellation refunds nothing and needs no payment.
        self.assertFalse(registration.mp_refunded_fen)

    def test_no_cancel_after_check_in_or_end(self):
        event = self.make_event(date_begin=utc_in(minutes=10),
                                date_end=utc_in(hours=2))
        registration = self.registration(self.join(event))
        registration._mp_check_in("self")
        self.assertEqual(self.cancel(registration, status=409)["error"]
                         ["code"], "checked_in")
        ended = self.make_event()
        registration = self.registration(self.join(ended))
        ended.write({"date_begin": utc_in(hours=-3),
                     "date_end": utc_in(hours=-1)})
        self.assertEqual(self.cancel(registration, status=409)["error"]
                         ["code"], "ended")

    def test_other_users_cannot_touch_my_sign_up(self):
        registration = self.registration(self.join(self.make_event()))
        bob_token, _bob = self.user("bob")
        for method, path in (("GET", ""), ("POST", "/cancel"),
                             ("POST", "/pay"), ("POST", "/review")):
            response = self.api(method, "registrations/%d%s"
                                % (registration.id, path), token=bob_token,
                                json={"rating": 5} if "review" in path
                                else None)
            self.assertError(response, 404)
        listed = self.api("GET", "registrations", token=bob_token).json()
        self.assertEqual(listed["total"], 0)
        self.assertEqual(registration.mp_stage, "confirmed")

    def test_unpaid_hold_can_be_cancelled_even_when_policy_says_no(self):
        event = self.make_event(mp_fee_fen=1000, mp_cancel_policy="none")
        body = self.join(event)
        registration = self.registration(body)
        self.assertEqual(self.cancel(registration)["stage"], "cancelled")
        self.assertEqual(registration.sale_order_id.state, "cancel")

    def test_staff_reject_a_paid_sign_up_refunds_it_in_full(self):
        event, registration = self.paid_sign_up(mp_approval=True)
        self.assertEqual(registration.mp_stage, "to_review")
        reason = self.env.ref("event_miniprogram.cancel_reason_requirements")
        wizard = self.env["event.mp.decision.wizard"].with_context(
            active_ids=registration.ids, mp_decision="reject").create(
            {"reason_id": reason.id, "note": "Age limit"})
        self.assertEqual(wizard.mode, "reject")
        wizard.action_confirm()
        self.assertEqual(registration.mp_stage, "rejected")
        self.assertEqual(registration.cancel_reason_id, reason)
        self.assertEqual(registration.mp_refunded_fen, 10000)
        self.settle_refund(registration)
        listed = self.api("GET", "registrations?status=cancelled_by_staff",
                          token=self.alice["token"]).json()
        self.assertEqual(listed["items"][0]["cancel_reason"], "Age limit")
        self.assertBooksBalance()

    def test_staff_cancel_through_the_reason_wizard_refunds_in_full(self):
        event, registration = self.paid_sign_up(
            mp_cancel_policy="none", date_begin=utc_in(hours=20),
            date_end=utc_in(hours=22))
        self.env["event.mp.refund.rule"].create(
            {"event_id": event.id, "days_before": 2, "percent": 100})
        reason = self.env.ref(
            "event_miniprogram.cancel_reason_activity_cancelled")
        # OCA's wizard, as the Cancel button of the form opens it.
        self.env["event.registration.cancel.log.reason"].with_context(
            active_ids=registration.ids).create(
            {"reason_id": reason.id}).button_log()
        self.assertEqual(registration.mp_stage, "cancelled")
        self.assertEqual(registration.mp_cancelled_by, "staff")
        self.assertEqual(registration.mp_refunded_fen, 10000)
        refund = self.settle_refund(registration)
        self.assertEqual(refund.amount_fen, 10000)

    def test_offline_paid_cancellation_leaves_a_refund_due(self):
        event = self.make_event(mp_fee_fen=3000, mp_payment_method="offline")
        registration = self.registration(self.join(event))
        registration.action_mp_record_offline_payment()
        self.cancel(registration)
        self.assertEqual(registration.mp_payment_state, "refund_due")
        self.assertEqual(registration.mp_refunded_fen, 3000)
        registration.action_mp_mark_refunded()
        self.assertEqual(registration.mp_payment_state, "refunded")
