# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from .common import EventCase, utc_in


class TestCheckin(EventCase):

    def setUp(self):
        super(TestCheckin, self).setUp()
        self.event = self.make_event(date_begin=utc_in(minutes=30),
                                     date_end=utc_in(hours=3))
        self.registration = self.registration(self.join(self.event))
        self.staff_token, self.staff = self.user("staff")

    def self_checkin(self, qr, status=200):
        response = self.api("POST", "registrations/%d/checkin"
                            % self.registration.id,
                            token=self.alice["token"], json={"qr": qr})
        self.assertEqual(response.status_code, status, response.text)
        return response.json()

    def staff_checkin(self, status=200, **payload):
        response = self.api("POST", "checkins", token=self.staff_token,
                            json=payload)
        self.assertEqual(response.status_code, status, response.text)
        return response.json()

    def test_self_check_in_by_the_venue_qr_is_idempotent(self):
        self.assertEqual(self.self_checkin("mpevent:checkin:1:nope", 409)
                         ["error"]["code"], "wrong_code")
        body = self.self_checkin(self.event.mp_checkin_qr)
        self.assertEqual((body["checked_in"], body["already"]), (True, False))
        self.assertEqual(self.registration.mp_stage, "attended")
        self.assertEqual(self.registration.mp_checkin_method, "self")
        again = self.self_checkin(self.event.mp_checkin_qr)
        self.assertTrue(again["already"])
        self.assertEqual(again["checked_in_at"], body["checked_in_at"])
        # A new QR retires the printed one.
        old = self.event.mp_checkin_qr
        self.event.action_mp_new_checkin_token()
        self.assertNotEqual(self.event.mp_checkin_qr, old)

    def test_self_check_in_only_inside_the_window(self):
        self.event.mp_checkin_open_minutes = 10  # opens in 20 minutes
        body = self.self_checkin(self.event.mp_checkin_qr, 409)
        self.assertEqual(body["error"]["code"], "checkin_not_open")
        self.event.write({"date_begin": utc_in(hours=-3),
                          "date_end": utc_in(minutes=-1)})
        self.assertEqual(self.self_checkin(self.event.mp_checkin_qr, 409)
                         ["error"]["code"], "ended")
        self.assertEqual(self.registration.mp_stage, "confirmed")

    def test_unconfirmed_sign_ups_cannot_check_in(self):
        self.registration._mp_cancel_by_staff()
        self.assertEqual(self.self_checkin(self.event.mp_checkin_qr, 409)
                         ["error"]["code"], "not_confirmed")

    def test_staff_check_in_by_code_or_qr_only_for_their_activities(self):
        code = self.registration.mp_code
        # Not a checker of this activity: the code is "not found".
        self.staff_checkin(404, code=code)
        self.event.mp_checker_ids = self.staff
        body = self.staff_checkin(code=code)
        self.assertEqual(body["registration_id"], self.registration.id)
        self.assertFalse(body["already"])
        self.assertEqual(self.registration.mp_checkin_method, "staff")
        self.assertEqual(self.registration.mp_checker_id, self.staff)
        self.assertTrue(self.staff_checkin(code=code)["already"])
        self.staff_checkin(400)
        self.staff_checkin(400, code="12345")

    def test_signed_qr_payload(self):
        self.event.mp_checker_ids = self.staff
        detail = self.api("GET", "registrations/%d" % self.registration.id,
                          token=self.alice["token"]).json()
        qr = detail["qr"]
        self.assertEqual(detail["code"], self.registration.mp_code)
        Registration = self.env["event.registration"]
        self.assertEqual(Registration._mp_from_qr(qr), self.registration)
        forged = qr[:-1] + ("0" if qr[-1] != "0" else "1")
        self.assertFalse(Registration._mp_from_qr(forged))
        self.staff_checkin(404, qr=forged)
        self.assertFalse(self.staff_checkin(qr=qr)["already"])

    def test_back_office_check_in_by_code(self):
        wizard = self.env["event.mp.checkin.wizard"].create({
            "event_id": self.event.id, "code": self.registration.mp_code})
        wizard.action_check_in()
        self.assertEqual(self.registration.mp_stage, "attended")
        self.assertEqual(self.registration.mp_checkin_method, "backoffice")
        self.assertIn("checked in", wizard.result)
        other = self.make_event()
        with self.assertRaises(Exception):
            self.env["event.mp.checkin.wizard"].create({
                "event_id": other.id,
                "code": self.registration.mp_code}).action_check_in()

    def test_codes_are_unique_and_random(self):
        codes = {self.env["event.registration"]._mp_new_code()
                 for _i in range(200)}
        self.assertEqual(len(codes), 200)
        self.assertTrue(all(len(code) == 15 and code.isdigit()
                            for code in codes))
