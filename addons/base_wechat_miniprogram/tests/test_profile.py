# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import common

from .common import MiniProgramCase


@common.at_install(False)
@common.post_install(True)
class TestProfile(MiniProgramCase):

    def setUp(self):
        super(TestProfile, self).setUp()
        self.alice = self.login("alice")
        self.bob = self.login("bob")

    def partner(self, body):
        return self.env["res.partner"].browse(body["profile"]["id"])

    def test_get_own_profile(self):
        response = self.api("GET", "me", token=self.alice["token"])
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["id"], self.alice["profile"]["id"])

    def test_update_nickname_and_avatar(self):
        response = self.api("PUT", "me", token=self.alice["token"], json={
            "nickname": "爱丽丝", "avatar_url": "https://img.example/a.png",
        })
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["nickname"], "爱丽丝")
        partner = self.partner(self.alice)
        self.assertEqual(partner.mp_nickname, "爱丽丝")
        self.assertEqual(partner.name, "爱丽丝")
        self.assertEqual(partner.mp_avatar_url, "https://img.example/a.png")

    def test_second_partner_cannot_touch_the_first(self):
        alice = self.partner(self.alice)
        # The profile resource is always the caller's own...
        response = self.api("PUT", "me", token=self.bob["token"],
                            json={"nickname": "Mallory"})
        self.assertEqual(response.json()["id"], self.bob["profile"]["id"])
        self.assertNotEqual(alice.mp_nickname, "Mallory")
        # ...and naming another partner's id is a 404, not a read or write.
        for method in ("GET", "PUT"):
            response = self.api(method, "me/%d" % alice.id,
                                token=self.bob["token"],
                                json={"nickname": "Mallory"})
            self.assertError(response, 404)
        self.assertNotEqual(alice.mp_nickname, "Mallory")
        self.assertNotEqual(alice.name, "Mallory")

    def test_invalid_input_is_400_and_writes_nothing(self):
        partner = self.partner(self.alice)
        before = (partner.name, partner.mp_nickname, partner.mp_avatar_url)
        for payload in (
                {"nickname": "ok", "avatar_url": "javascript:alert(1)"},
                {"nickname": "x" * 65},
                {"nickname": 42},
                {"phone_iv": "only-half-of-the-pair"}):
            response = self.api("PUT", "me", token=self.alice["token"],
                                json=payload)
            error = self.assertError(response, 400, "invalid_input")
            self.assertTrue(error["details"])
        partner.invalidate_cache()
        self.assertEqual(
            (partner.name, partner.mp_nickname, partner.mp_avatar_url),
            before)

    def test_malformed_json_is_400(self):
        for body in ("{not json", "[1, 2]", "null"):
            response = self.api(
                "PUT", "me", token=self.alice["token"], data=body,
                headers={"Content-Type": "application/json"})
            self.assertError(response, 400, "invalid_json")

    def test_phone_number_from_encrypted_data(self):
        encrypted = self.sim.call("POST", "encrypt", user="alice", data={
            "phoneNumber": "+86 13800138000",
            "purePhoneNumber": "13800138000", "countryCode": "86",
        })
        response = self.api("PUT", "me", token=self.alice["token"], json={
            "phone_encrypted_data": encrypted["encryptedData"],
            "phone_iv": encrypted["iv"],
        })
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["phone"], "13800138000")
        self.assertEqual(self.partner(self.alice).mp_phone, "13800138000")

    def test_phone_data_of_another_session_is_refused(self):
        # Encrypted with Bob's session key: Alice's cannot decrypt it.
        encrypted = self.sim.call("POST", "encrypt", user="bob", data={
            "purePhoneNumber": "13900139000"})
        response = self.api("PUT", "me", token=self.alice["token"], json={
            "phone_encrypted_data": encrypted["encryptedData"],
            "phone_iv": encrypted["iv"],
        })
        self.assertError(response, 400, "invalid_phone_data")
        self.assertFalse(self.partner(self.alice).mp_phone)
