# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import common

from .common import SIM_APP_ID, MiniProgramCase


@common.at_install(False)
@common.post_install(True)
class TestLogin(MiniProgramCase):

    def test_new_user_gets_partner_and_token(self):
        body = self.login("new-user-1", unionid="union-new-1")
        self.assertTrue(body["new_user"])
        self.assertEqual(body["token_type"], "Bearer")
        self.assertGreaterEqual(len(body["token"]), 40)
        partner = self.env["res.partner"].browse(body["profile"]["id"])
        self.assertEqual(partner.mp_app_id, SIM_APP_ID)
        self.assertTrue(partner.mp_openid.startswith("o"))
        self.assertEqual(partner.mp_unionid, "union-new-1")
        token = partner.mp_token_ids
        self.assertEqual(len(token), 1)
        # Stored hashed: the raw token is nowhere in the database.
        self.assertNotEqual(token.token_hash, body["token"])
        self.assertEqual(len(token.token_hash), 64)
        self.assertTrue(token.session_key)
        self.assertNotIn("session_key", str(body))
        self.assertIn("+08:00", body["expires_at"])

    def test_known_user_logs_in_to_same_partner(self):
        first = self.login("known-user")
        second = self.login("known-user")
        self.assertFalse(second["new_user"])
        self.assertEqual(first["profile"]["id"], second["profile"]["id"])
        self.assertNotEqual(first["token"], second["token"])
        # Both tokens work.
        for body in (first, second):
            response = self.api("GET", "me", token=body["token"])
            self.assertEqual(response.json()["id"], body["profile"]["id"])

    def test_unionid_finds_partner_of_another_app(self):
        partner = self.env["res.partner"].create({
            "name": "From the official account", "mp_unionid": "u-shared",
        })
        body = self.login("shared-person", unionid="u-shared")
        self.assertEqual(body["profile"]["id"], partner.id)
        self.assertTrue(partner.mp_openid)

    def test_bad_code_is_401(self):
        response = self.api("POST", "auth/login", json={"code": "made-up"})
        error = self.assertError(response, 401, "invalid_code")
        self.assertIn("wx.login", error["message"])

    def test_reused_code_is_401_and_creates_nothing_more(self):
        code = self.sim.login_code("reuse-user")["code"]
        self.assertEqual(
            self.api("POST", "auth/login", json={"code": code}).status_code,
            200)
        partners = self.env["res.partner"].search_count([])
        response = self.api("POST", "auth/login", json={"code": code})
        self.assertError(response, 401, "invalid_code")
        self.assertEqual(self.env["res.partner"].search_count([]), partners)

    def test_missing_code_is_400(self):
        response = self.api("POST", "auth/login", json={})
        error = self.assertError(response, 400, "invalid_input")
        self.assertIn("code", error["details"])

    def test_wechat_down_is_503(self):
        self.sim.fault("jscode2session", errcode=-1, errmsg="system busy")
        code = self.sim.login_code("busy-user")["code"]
        response = self.api("POST", "auth/login", json={"code": code})
        self.assertError(response, 503, "wechat_unavailable")

    def test_messages_default_to_chinese(self):
        response = self.api("GET", "me")
        chinese = self.assertError(response, 401)["message"]
        response = self.api("GET", "me", headers={"Accept-Language": "en"})
        english = self.assertError(response, 401)["message"]
        self.assertIn("bearer token", english)
        self.assertNotEqual(chinese, english)
        # A language that is not installed, or a malformed header: Chinese.
        for header in ("fr-FR", "zh-CN;q=abc"):
            response = self.api("GET", "me",
                                headers={"Accept-Language": header})
            self.assertEqual(self.assertError(response, 401)["message"],
                             chinese)

    def test_archived_partner_is_locked_out(self):
        body = self.login("archived-user")
        partner = self.env["res.partner"].browse(body["profile"]["id"])
        partner.active = False
        self.assertError(self.api("GET", "me", token=body["token"]), 401)
        code = self.sim.login_code("archived-user")["code"]
        response = self.api("POST", "auth/login", json={"code": code})
        self.assertError(response, 403, "account_disabled")
        self.assertEqual(self.env["res.partner"].with_context(
            active_test=False).search_count(
                [("mp_openid", "=", partner.mp_openid)]), 1)


@common.at_install(False)
@common.post_install(True)
class TestTokenLifecycle(MiniProgramCase):

    def set_expiry(self, token, from_now):
        """Time passes: tokens are immutable through the ORM."""
        self.env.cr.execute(
            "UPDATE mp_api_token SET expires_at = %s WHERE id = %s", (
                fields.Datetime.to_string(
                    datetime.datetime.utcnow() + from_now), token.id))
        token.invalidate_cache()

    def test_no_token_is_401(self):
        response = self.api("GET", "me")
        self.assertError(response, 401, "unauthorized")
        self.assertEqual(response.headers.get("WWW-Authenticate"), "Bearer")
        response = self.api("GET", "me", token="not-a-real-token")
        self.assertError(response, 401, "invalid_token")

    def test_expired_token_is_401(self):
        body = self.login("expiring-user")
        token = self.env["mp.api.token"].search(
            [("partner_id", "=", body["profile"]["id"])])
        self.set_expiry(token, datetime.timedelta(seconds=-1))
        self.assertEqual(token.state, "expired")
        response = self.api("GET", "me", token=body["token"])
        self.assertError(response, 401, "token_expired")

    def test_logout_revokes_the_token(self):
        body = self.login("leaving-user")
        response = self.api("POST", "auth/logout", token=body["token"])
        self.assertEqual(response.status_code, 200, response.text)
        response = self.api("GET", "me", token=body["token"])
        self.assertError(response, 401, "token_revoked")

    def test_staff_revocation(self):
        body = self.login("revoked-user")
        other = self.login("other-device-user")
        token = self.env["mp.api.token"].search(
            [("partner_id", "=", body["profile"]["id"])])
        token.action_revoke()
        self.assertEqual(token.state, "revoked")
        self.assertError(self.api("GET", "me", token=body["token"]), 401)
        self.assertEqual(
            self.api("GET", "me", token=other["token"]).status_code, 200)

    def test_search_by_state(self):
        """The back office filters tokens by state (its default view)."""
        live = self.login("state-live")
        dead = self.login("state-revoked")
        old = self.login("state-expired")
        tokens = self.env["mp.api.token"]
        by_partner = {body["profile"]["id"]: tokens.search(
            [("partner_id", "=", body["profile"]["id"])])
            for body in (live, dead, old)}
        by_partner[dead["profile"]["id"]].action_revoke()
        self.set_expiry(by_partner[old["profile"]["id"]],
                        datetime.timedelta(hours=-1))
        scope = [("partner_id", "in", list(by_partner))]
        for state, body in (("active", live), ("revoked", dead),
                            ("expired", old)):
            found = tokens.search(scope + [("state", "=", state)])
            self.assertEqual(found.mapped("partner_id").ids,
                             [body["profile"]["id"]], state)
            self.assertEqual(
                len(tokens.search(scope + [("state", "!=", state)])), 2)

    def test_tokens_are_immutable_but_revocable(self):
        body = self.login("immutable-user")
        other = self.login("victim-user")
        token = self.env["mp.api.token"].search(
            [("partner_id", "=", body["profile"]["id"])])
        for values in ({"partner_id": other["profile"]["id"]},
                       {"token_hash": "0" * 64},
                       {"expires_at": "2099-01-01 00:00:00"}):
            with self.assertRaises(UserError):
                token.write(values)
        token.action_revoke()
        self.assertEqual(token.state, "revoked")

    def test_token_lifetime_follows_settings(self):
        self.company.mp_token_lifetime_hours = 2
        body = self.login("short-lived-user")
        token = self.env["mp.api.token"].search(
            [("partner_id", "=", body["profile"]["id"])])
        left = fields.Datetime.from_string(token.expires_at) \
            - datetime.datetime.utcnow()
        self.assertTrue(datetime.timedelta(hours=1, minutes=59) < left
                        <= datetime.timedelta(hours=2))

    def test_purge_cron_deletes_only_old_tokens(self):
        body = self.login("purged-user")
        token = self.env["mp.api.token"].search(
            [("partner_id", "=", body["profile"]["id"])])
        self.env["mp.api.token"]._cron_purge()
        self.assertTrue(token.exists())
        self.set_expiry(token, datetime.timedelta(days=-31))
        self.env["mp.api.token"]._cron_purge()
        self.assertFalse(token.exists())
