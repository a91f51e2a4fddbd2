# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from .common import EventCase, utc_in


class TestWaitlist(EventCase):

    def test_freed_seat_is_offered_in_turn(self):
        event = self.make_event(capacity=1, mp_waitlist_offer_minutes=15)
        first = self.registration(self.join(event))
        bob_token, bob = self.user("bob")
        carol_token, carol = self.user("carol")
        self.assertError(self.api("POST", "events/%d/join" % event.id,
                                  token=bob_token, json={}), 409, "full")
        for token in (bob_token, carol_token):
            response = self.api("POST", "events/%d/wait" % event.id,
                                token=token)
            self.assertEqual(response.json()["state"], "waiting",
                             response.text)
        first._mp_cancel_by_staff()
        bob_entry, carol_entry = event.mp_waitlist_ids.sorted("id")
        self.assertEqual((bob_entry.state, carol_entry.state),
                         ("offered", "waiting"))
        message = self.env["mp.subscribe.message"].search([
            ("partner_id", "=", bob.id),
            ("event_code", "=", "event_waitlist_offer")])
        self.assertTrue(message)
        # The offered seat is bob's: carol still finds the activity full.
        self.assertError(self.api("POST", "events/%d/join" % event.id,
                                  token=carol_token, json={}), 409, "full")
        # Bob lets the offer lapse: carol is offered the seat and takes it.
        bob_entry.offer_expires_at = utc_in(minutes=-1)
        self.env["event.mp.waitlist"]._cron_expire_offers()
        self.assertEqual((bob_entry.state, carol_entry.state),
                         ("expired", "offered"))
        self.assertError(self.api("POST", "events/%d/join" % event.id,
                                  token=bob_token, json={}), 409, "full")
        self.join(event, token=carol_token)
        self.assertEqual(carol_entry.state, "joined")
        self.assertEqual(event.mp_seats_taken, 1)

    def test_waitlist_only_when_full_and_enabled(self):
        event = self.make_event(capacity=2)
        self.assertError(self.api("POST", "events/%d/wait" % event.id,
                                  token=self.alice["token"]), 409,
                         "not_full")
        event.write({"seats_max": 1, "mp_waitlist": False})
        bob_token, _bob = self.user("bob")
        self.join(event, token=bob_token)
        self.assertError(self.api("POST", "events/%d/wait" % event.id,
                                  token=self.alice["token"]), 409, "full")


class TestReview(EventCase):

    def review(self, registration, status=200, **payload):
        response = self.api("POST", "registrations/%d/review"
                            % registration.id, token=self.alice["token"],
                            json=payload)
        self.assertEqual(response.status_code, status, response.text)
        return response.json()

    def test_only_attendees_review_once_and_hidden_ones_do_not_count(self):
        event = self.make_event(date_begin=utc_in(minutes=5),
                                date_end=utc_in(hours=1))
        registration = self.registration(self.join(event))
        self.assertEqual(self.review(registration, 409, rating=5)["error"]
                         ["code"], "not_attended")
        registration._mp_check_in("self")
        self.review(registration, 400, rating=6)
        self.review(registration, 400, rating=4,
                    photos=["http://insecure.example.com/a.jpg"])
        self.review(registration, rating=4, text="Nice",
                    photos=["https://img.example.com/a.jpg"])
        self.assertEqual(self.review(registration, 409, rating=5)["error"]
                         ["code"], "already_reviewed")
        bob_token, _bob = self.user("bob")
        bob_registration = self.registration(self.join(event,
                                                       token=bob_token))
        bob_registration._mp_check_in("self")
        response = self.api("POST", "registrations/%d/review"
                            % bob_registration.id, token=bob_token,
                            json={"rating": 2})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertAlmostEqual(event.mp_rating_avg, 3.0)
        bob_review = bob_registration.mp_review_id
        bob_review.action_toggle_hidden()
        self.assertAlmostEqual(event.mp_rating_avg, 4.0)
        body = self.api("GET", "events/%d/reviews" % event.id,
                        token=self.alice["token"]).json()
        self.assertEqual(body["total"], 1)
        self.assertEqual(body["items"][0]["photos"],
                         ["https://img.example.com/a.jpg"])
        self.assertEqual(body["rating"], 4.0)


class TestMessages(EventCase):

    def sent(self, partner, code):
        return self.env["mp.subscribe.message"].search([
            ("partner_id", "=", partner.id), ("event_code", "=", code)])

    def test_confirmation_approval_cancellation_and_refund_messages(self):
        event = self.make_event(mp_approval=True, mp_fee_fen=500)
        body = self.join(event)
        self.pay_registration(body)
        registration = self.registration(body)
        partner = self.alice_partner
        self.assertTrue(self.sent(partner, "event_submitted"))
        registration.action_mp_approve()
        self.assertTrue(self.sent(partner, "event_review_result"))
        self.api("POST", "registrations/%d/cancel" % registration.id,
                 token=self.alice["token"], json={})
        self.assertTrue(self.sent(partner, "event_cancelled"))
        self.assertTrue(self.sent(partner, "event_refunded"))

    def test_reminders_are_sent_once_before_the_start(self):
        soon = self.make_event(date_begin=utc_in(hours=5),
                               date_end=utc_in(hours=6),
                               mp_reminder_hours=24)
        later = self.make_event(date_begin=utc_in(days=3),
                                date_end=utc_in(days=3, hours=1),
                                mp_reminder_hours=24)
        self.join(soon)
        self.join(later)
        Event = self.env["event.event"]
        self.assertEqual(Event._cron_mp_send_reminders(), 1)
        self.assertEqual(len(self.sent(self.alice_partner,
                                       "event_reminder")), 1)
        self.assertEqual(Event._cron_mp_send_reminders(), 0)
