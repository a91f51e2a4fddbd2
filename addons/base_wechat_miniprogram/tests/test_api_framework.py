# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import requests
from openapi_spec_validator import validate_spec

from odoo.tests import common

from ..services.base_service import integers_out_of_range
from ..tools import like_literal
from .common import MiniProgramCase


@common.at_install(False)
@common.post_install(True)
class TestApiFramework(MiniProgramCase):

    def test_unknown_route_and_method_are_json_404(self):
        body = self.login("router-user")
        for path in ("nothing-here", "me/frobnicate", "auth/_login"):
            response = self.api("POST", path, token=body["token"], json={})
            self.assertIn(response.status_code, (400, 404), response.text)
            self.assertIn("error", response.json())

    def test_ids_outside_the_integer_range_are_404(self):
        """base_rest answered ``GET messages/0`` as the list and ran
        ``POST me/0/update`` as ``me/update``; a larger id than
        PostgreSQL's integer was a 500."""
        body = self.login("id-range-user")
        for method, path in (("GET", "messages/0"),
                             ("GET", "messages/2147483648"),
                             ("POST", "me/0/update"),
                             ("POST", "me/99999999999/update")):
            response = self.api(method, path, token=body["token"],
                                json={"nickname": "changed"})
            self.assertError(response, 404, "not_found")
        self.assertNotEqual(
            self.api("GET", "me", token=body["token"]).json()["nickname"],
            "changed")

    def test_integers_out_of_range(self):
        """Inputs with integers no integer column holds are refused (they
        were database errors, 500)."""
        self.assertEqual(integers_out_of_range({
            "ok": 2 ** 31 - 1, "low": -2 ** 31, "flag": True,
            "big": 2 ** 31, "nested": {"list": [1, -2 ** 31 - 1]},
            "text": "99999999999"}), ["big", "nested.list.1"])

    def test_like_literal_matches_wildcards_literally(self):
        partners = self.env["res.partner"]
        made = partners.create({"name": "Like 100% a_b c\\d"}) | \
            partners.create({"name": "Like 1000 axb cd"})
        for text, found in (("100%", 1), ("a_b", 1), ("c\\d", 1),
                            ("%", 1), ("_", 1), ("Like", 2)):
            self.assertEqual(partners.search_count([
                ("id", "in", made.ids),
                ("name", "ilike", like_literal(text))]), found, text)

    def test_rate_limit_is_429(self):
        body = self.login("hasty-user")
        self.company.mp_rate_limit = 3
        statuses = [self.api("GET", "me", token=body["token"]).status_code
                    for _i in range(5)]
        self.assertEqual(statuses[:3], [200, 200, 200])
        self.assertEqual(statuses[3:], [429, 429])
        error = self.api("GET", "me", token=body["token"]).json()["error"]
        self.assertEqual(error["code"], "rate_limited")
        # The limit is per partner: another user is not affected.
        other = self.login("patient-user")
        self.assertEqual(
            self.api("GET", "me", token=other["token"]).status_code, 200)

    def test_openapi_documents_validate(self):
        base = "http://%s:%s" % (common.HOST, common.PORT)
        self.env.cr.commit()  # pylint: disable=invalid-commit
        for usage in ("auth", "me", "subscriptions", "messages"):
            response = requests.get(
                "%s/api-docs/mp/v1/%s.json" % (base, usage), timeout=30)
            self.assertEqual(response.status_code, 200, response.text)
            document = response.json()
            validate_spec(document)
            self.assertIn("bearer", document["components"]["securitySchemes"])
            self.assertTrue(document["paths"])
            if usage == "messages":
                # a query parameter's whole rule, not only its type
                size = {p["name"]: p["schema"] for p in
                        document["paths"]["/"]["get"]["parameters"]}["size"]
                self.assertEqual((size["minimum"], size["maximum"]),
                                 (1, 100))
            if usage == "me":
                # PUT is served on /mp/v1/me only, not on /me/search
                self.assertIn("put", document["paths"]["/"])
                self.assertNotIn("put", document["paths"]["/search"])
        response = requests.get(base + "/api-docs", timeout=30)
        self.assertEqual(response.status_code, 200)
        self.assertIn("mp/v1: me", response.text)

    def test_pagination_and_scoping_of_lists(self):
        alice = self.login("pager-alice")
        bob = self.login("pager-bob")
        partners = self.env["res.partner"]
        messages = self.env["mp.subscribe.message"]
        for body, count in ((alice, 7), (bob, 2)):
            partner = partners.browse(body["profile"]["id"])
            for index in range(count):
                messages.create({
                    "partner_id": partner.id, "company_id": self.company.id,
                    "event_code": "pager", "template_id": "tpl-%d" % index,
                    "state": "sent" if index % 2 else "failed",
                })
        response = self.api("GET", "messages?page=2&size=3",
                            token=alice["token"])
        self.assertEqual(response.status_code, 200, response.text)
        page = response.json()
        self.assertEqual((page["page"], page["size"], page["total"]),
                         (2, 3, 7))
        self.assertEqual(len(page["items"]), 3)
        response = self.api("GET", "messages?page=3&size=3",
                            token=alice["token"])
        self.assertEqual(len(response.json()["items"]), 1)
        response = self.api("GET", "messages?state=sent",
                            token=alice["token"])
        self.assertEqual(response.json()["total"], 3)
        # Bob sees his two, never Alice's.
        response = self.api("GET", "messages", token=bob["token"])
        self.assertEqual(response.json()["total"], 2)
        bob_ids = {item["id"] for item in response.json()["items"]}
        alice_ids = set(messages.search([
            ("partner_id", "=", alice["profile"]["id"])]).ids)
        self.assertFalse(bob_ids & alice_ids)
        for query in ("size=1000", "page=0", "state=unknown"):
            response = self.api("GET", "messages?" + query,
                                token=bob["token"])
            self.assertError(response, 400, "invalid_input")
