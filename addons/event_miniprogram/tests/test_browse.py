# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

import requests
from openapi_spec_validator import validate_spec

from odoo import fields
from odoo.tests import common

from odoo.addons.event_miniprogram import local_time
from odoo.addons.base_wechat_miniprogram.tools import mask_name

from .common import EventCase, utc_in


class TestBrowse(EventCase):

    def setUp(self):
        super(TestBrowse, self).setUp()
        # Only this test's activities count.
        self.env["event.event"].search([]).write({"mp_published": False})

    def get(self, path, **params):
        response = self.api("GET", path, token=self.alice["token"],
                            data=None, headers=None) if not params else \
            self.session.get(
                "http://127.0.0.1:%s/mp/v1/%s" % (self.port(), path),
                params=params, timeout=30,
                headers={"Authorization": "Bearer " + self.alice["token"]})
        self.env.clear()
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    @staticmethod
    def port():
        return common.PORT

    def ids(self, body):
        return [item["id"] for item in body["items"]]

    def local_noon(self, days):
        """UTC string of the company's local noon ``days`` from today."""
        day = local_time.local_today(self.company) + \
            datetime.timedelta(days=days)
        low, _high = local_time.day_bounds(self.company, day)
        return fields.Datetime.to_string(
            fields.Datetime.from_string(low) + datetime.timedelta(hours=12))

    def at_noon(self, days, **values):
        start = fields.Datetime.from_string(self.local_noon(days))
        return self.make_event(
            date_begin=fields.Datetime.to_string(start),
            date_end=fields.Datetime.to_string(
                start + datetime.timedelta(hours=2)), **values)

    def test_list_filters_sort_and_pages(self):
        self.env.cr.commit()  # pylint: disable=invalid-commit
        other = self.env["event.type"].create({"name": "Talks"})
        today = self.at_noon(0, name="Tea today", mp_sequence=5)
        tomorrow = self.at_noon(1, name="Hike tomorrow", mp_sequence=1,
                                event_type_id=other.id)
        later = self.at_noon(40, name="Hike far away", mp_recommended=True)
        hidden = self.at_noon(2, name="Hike hidden", mp_published=False)
        body = self.get("events")
        self.assertEqual(body["total"], 3)
        self.assertNotIn(hidden.id, self.ids(body))
        # Recommended first, then the staff's order.
        self.assertEqual(self.ids(body), [later.id, tomorrow.id, today.id])
        self.assertEqual(self.ids(self.get("events", sort="start")),
                         [today.id, tomorrow.id, later.id])
        self.assertEqual(self.ids(self.get("events", search="hike")),
                         [later.id, tomorrow.id])
        self.assertEqual(self.ids(self.get("events", category_id=other.id)),
                         [tomorrow.id])
        self.assertEqual(self.ids(self.get("events", when="today")),
                         [today.id])
        self.assertEqual(self.ids(self.get("events", when="tomorrow")),
                         [tomorrow.id])
        self.assertEqual(self.ids(self.get(
            "events", date=fields.Date.to_string(
                local_time.local_today(self.company) +
                datetime.timedelta(days=40)))), [later.id])
        page = self.get("events", page=2, size=2)
        self.assertEqual((page["total"], len(page["items"])), (3, 1))
        item = body["items"][0]
        self.assertEqual(item["status"], "open")
        self.assertTrue(item["status_text"])
        self.assertEqual(item["category"]["id"], self.category.id)
        self.assertTrue(item["start"].endswith("+08:00"))
        bad = self.session.get(
            "http://127.0.0.1:%s/mp/v1/events" % self.port(),
            params={"when": "yesterday", "size": 1000},
            headers={"Authorization": "Bearer " + self.alice["token"]},
            timeout=30)
        self.assertError(bad, 400, "invalid_input")

    def test_days_with_activities(self):
        self.at_noon(0)
        self.at_noon(3)
        longer = self.at_noon(5)
        longer.date_end = self.local_noon(6)
        body = self.get("events/days", span=10)
        today = local_time.local_today(self.company)
        expected = [fields.Date.to_string(today + datetime.timedelta(days=d))
                    for d in (0, 3, 5, 6)]
        self.assertEqual(body["days"], expected)
        # A POST-only method is not readable by GET.
        event = self.at_noon(1)
        response = self.api("GET", "events/%d/join" % event.id,
                            token=self.alice["token"])
        self.assertError(response, 405)

    def test_detail_counts_views_once_a_day_and_shows_my_tag(self):
        event = self.make_event(capacity=3, mp_approval=True)
        bob_token, bob = self.user("bob")
        bob.mp_avatar_url = "https://example.com/bob.png"
        self.join(event, token=bob_token)
        event.registration_ids.action_mp_approve()
        detail = self.get("events/%d" % event.id)
        self.assertEqual(detail["views"], 1)
        self.assertEqual(self.get("events/%d" % event.id)["views"], 1)
        self.api("GET", "events/%d" % event.id, token=bob_token)
        self.assertEqual(self.get("events/%d" % event.id)["views"], 2)
        self.assertEqual(detail["avatars"], ["https://example.com/bob.png"])
        self.assertIsNone(detail["my_registration"])
        self.assertEqual(detail["taken"], 1)
        self.assertEqual(detail["capacity"], 3)
        self.join(event)
        detail = self.get("events/%d" % event.id)
        self.assertEqual(detail["my_registration"]["stage"], "to_review")
        # In the caller's language, Chinese by default.
        self.assertEqual(detail["my_registration"]["tag"], "待审核")

    def test_status_is_derived_from_the_settings(self):
        cases = [
            (dict(), "open"),
            (dict(mp_stopped=True), "stopped"),
            (dict(date_begin=utc_in(hours=-3), date_end=utc_in(hours=-1)),
             "ended"),
            (dict(mp_deadline=utc_in(hours=-1)), "closed"),
            (dict(date_begin=utc_in(hours=-1)), "closed"),
        ]
        for values, status in cases:
            event = self.make_event(**values)
            self.assertEqual(event.mp_status, status, values)
        full = self.make_event(capacity=1)
        self.join(full)
        self.assertEqual(self.get("events/%d" % full.id)["status"], "full")

    def test_participants_are_masked_and_private_lists_refused(self):
        event = self.make_event()
        bob_token, bob = self.user("bob")
        bob.mp_nickname = "王小明"
        self.join(event, token=bob_token)
        body = self.get("events/%d/participants" % event.id)
        self.assertEqual([p["name"] for p in body["items"]], ["王*明"])
        event.mp_public_list = False
        response = self.api("GET", "events/%d/participants" % event.id,
                            token=self.alice["token"])
        self.assertError(response, 409, "private_list")
        self.assertEqual(mask_name("王五"), "王*")
        self.assertEqual(mask_name("Alexandra"), "A****a")

    def test_unpublished_and_unknown_activities_are_404(self):
        event = self.make_event(mp_published=False)
        for path in ("events/%d" % event.id, "events/999999",
                     "events/%d/form" % event.id):
            self.assertError(self.api("GET", path,
                                      token=self.alice["token"]), 404)
        self.assertError(self.api("GET", "events"), 401)

    def test_covers_are_public_images_of_published_activities(self):
        pixel = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42"
                 "mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
        event = self.make_event(mp_cover_ids=[(0, 0, {"image": pixel})])
        url = self.get("events/%d" % event.id)["covers"][0]
        self.env.cr.commit()  # pylint: disable=invalid-commit
        image = self.session.get("http://127.0.0.1:%s%s" % (self.port(), url),
                                 timeout=30)
        self.assertEqual(image.status_code, 200)
        self.assertEqual(image.headers["Content-Type"], "image/png")

    def test_openapi_documents_validate(self):
        self.env.cr.commit()  # pylint: disable=invalid-commit
        for usage in ("events", "registrations", "checkins"):
            response = requests.get(
                "http://127.0.0.1:%s/api-docs/mp/v1/%s.json"
                % (self.port(), usage), timeout=30)
            self.assertEqual(response.status_code, 200, response.text)
            document = response.json()
            validate_spec(document)
            if usage == "events":
                days = document["paths"]["/days"]
                self.assertEqual(list(days), ["get"])
                self.assertIn("span", [p["name"] for p in
                                       days["get"]["parameters"]])
                self.assertIn("post", document["paths"]["/{id}/join"])
