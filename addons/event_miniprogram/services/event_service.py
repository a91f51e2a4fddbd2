# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import _, fields

from odoo.addons.base_wechat_miniprogram.exceptions import (
    MpBadRequest, MpConflict, MpNotFound)
from odoo.addons.base_wechat_miniprogram.services.base_service import (
    page_schema, pagination_schema)
from odoo.addons.base_wechat_miniprogram.tools import (
    like_literal, run_read_committed)
from odoo.addons.component.core import Component
from odoo.addons.payment_wechatpay.services.payment_service import (
    PAY_RESULT_SCHEMA)

from .. import local_time
from ..models.event_mp_cover import URL as COVER_URL
from .common import selection_labels

DATE_REGEX = r"^\d{4}-\d{2}-\d{2}$"
SORTS = {
    "default": "mp_recommended desc, mp_sequence, date_begin desc, id desc",
    "newest": "create_date desc, id desc",
    "start": "date_begin, id",
    "start_desc": "date_begin desc, id desc",
}
MAX_DAYS = 62
AVATARS = 6

EVENT_SCHEMA = {
    "id": {"type": "integer", "required": True},
    "title": {"type": "string", "required": True},
    "category": {"type": "dict", "nullable": True, "schema": {
        "id": {"type": "integer"}, "name": {"type": "string"}}},
    "cover_url": {"type": "string", "nullable": True},
    "start": {"type": "string", "required": True},
    "end": {"type": "string", "required": True},
    "deadline": {"type": "string", "required": True},
    "address": {"type": "string", "required": True},
    "status": {"type": "string", "required": True},
    "status_text": {"type": "string", "required": True},
    "fee_fen": {"type": "integer", "required": True},
    "payment_method": {"type": "string", "required": True},
    "capacity": {"type": "integer", "required": True},
    "taken": {"type": "integer", "required": True},
    "views": {"type": "integer", "required": True},
    "recommended": {"type": "boolean", "required": True},
}
DETAIL_SCHEMA = dict(EVENT_SCHEMA, **{
    "description": {"type": "string", "required": True},
    "covers": {"type": "list", "schema": {"type": "string"}},
    "latitude": {"type": "float", "nullable": True},
    "longitude": {"type": "float", "nullable": True},
    "approval": {"type": "boolean", "required": True},
    "cancel_policy": {"type": "string", "required": True},
    "refund_schedule": {"type": "list", "schema": {"type": "dict", "schema": {
        "days_before": {"type": "integer"}, "percent": {"type": "integer"}}}},
    "public_list": {"type": "boolean", "required": True},
    "avatars": {"type": "list", "schema": {"type": "string"}},
    "rating": {"type": "float", "required": True},
    "review_count": {"type": "integer", "required": True},
    "waitlist": {"type": "boolean", "required": True},
    "my_waitlist": {"type": "string", "nullable": True},
    "my_registration": {"type": "dict", "nullable": True, "schema": {
        "id": {"type": "integer"}, "stage": {"type": "string"},
        "tag": {"type": "string"}}},
})
FIELD_SCHEMA = {
    "id": {"type": "integer", "required": True},
    "label": {"type": "string", "required": True},
    "kind": {"type": "string", "required": True},
    "required": {"type": "boolean", "required": True},
    "options": {"type": "list", "schema": {"type": "string"}},
    "hint": {"type": "string"},
}
PERSON_SCHEMA = {
    "name": {"type": "string", "required": True},
    "avatar_url": {"type": "string", "required": True},
    "checked_in": {"type": "boolean", "required": True},
}
REVIEW_SCHEMA = {
    "id": {"type": "integer", "required": True},
    "name": {"type": "string", "required": True},
    "avatar_url": {"type": "string", "required": True},
    "rating": {"type": "integer", "required": True},
    "text": {"type": "string", "required": True},
    "photos": {"type": "list", "schema": {"type": "string"}},
    "created_at": {"type": "string", "nullable": True},
}


class EventService(Component):
    """Activities of the mini-program: list and detail, the sign-up form,
    the days that have activities, participants and reviews, joining and
    the waitlist."""

    _name = "mp.event.service"
    _inherit = "mp.base.service"
    _usage = "events"
    _description = "Activities: browse, sign up, participants, reviews."
    _mp_get_methods = ("form", "days", "participants", "reviews")

    # -- reading ---------------------------------------------------------

    def search(self, page, size, category_id=None, search=None,
               sort="default", when=None, date=None, recommended=None):
        """Published activities, ``when``: today, tomorrow or month (this
        month) in the company's time zone; ``date``: one day."""
        domain = self._published_domain()
        if category_id:
            domain.append(("event_type_id", "=", category_id))
        if search:
            domain.append(("name", "ilike", like_literal(search)))
        if recommended:
            domain.append(("mp_recommended", "=", True))
        bounds = self._period(when, date)
        if bounds:
            domain += [("date_begin", "<", bounds[1]),
                       ("date_end", ">", bounds[0])]
        events, total = self._paginate(
            self.env["event.event"], domain, page, size, order=SORTS[sort])
        return self._page(events, total, page, size,
                          self._summary_writer(events))

    def get(self, _id):
        """One activity; the caller's view is counted once a day."""
        event = self._event(_id)
        self.env["event.mp.view"]._record(
            event, self.partner, local_time.local_today(self._company()))
        result = self._summary_writer(event)(event)
        registration = event._mp_active_registration(self.partner)
        waitlist = event.mp_waitlist_ids.filtered(
            lambda e: e.partner_id == self.partner and
            e.state in ("waiting", "offered"))
        avatars = self.env["event.registration"].search([
            ("event_id", "=", event.id), ("state", "in", ("open", "done"))],
            order="create_date desc, id desc", limit=AVATARS)
        result.update({
            "description": event.description or "",
            "covers": [cover._mp_url() for cover in event.mp_cover_ids],
            "latitude": event.mp_latitude or None,
            "longitude": event.mp_longitude or None,
            "approval": event.mp_approval,
            "cancel_policy": event.mp_cancel_policy,
            "refund_schedule": [
                {"days_before": rule.days_before, "percent": rule.percent}
                for rule in event.mp_refund_rule_ids],
            "public_list": event.mp_public_list,
            "avatars": [r.partner_id.mp_avatar_url or "" for r in avatars],
            "rating": round(event.mp_rating_avg, 2),
            "review_count": event.mp_review_count,
            "waitlist": event.mp_waitlist,
            "my_waitlist": waitlist[:1].state or None,
            "my_registration": registration and {
                "id": registration.id, "stage": registration.mp_stage,
                "tag": registration._mp_tag()} or None,
        })
        return result

    def form(self, _id):
        """The sign-up form, pre-filled with the caller's earlier
        answers to the same questions."""
        event = self._event(_id)
        return {"fields": event.mp_form_field_ids._mp_json(),
                "prefill": event._mp_prefill(self.partner)}

    def days(self, start=None, span=31):
        """The days from ``start`` (today by default) that have
        activities, in the company's time zone."""
        company = self._company()
        first = self._parse_date(start) if start else \
            local_time.local_today(company)
        last = first + datetime.timedelta(days=span - 1)
        low, high = local_time.day_bounds(company, first, last)
        events = self.env["event.event"].search(
            self._published_domain() + [("date_begin", "<", high),
                                        ("date_end", ">", low)])
        days = set()
        for event in events:
            day = max(first, local_time.local_day(company, event.date_begin))
            end = min(last, local_time.local_day(company, event.date_end))
            while day <= end:
                days.add(day)
                day += datetime.timedelta(days=1)
        return {"days": [fields.Date.to_string(day)
                         for day in sorted(days)]}

    def participants(self, _id, page, size):
        """Confirmed participants with masked names, when the activity's
        list is public."""
        event = self._event(_id)
        if not event.mp_public_list:
            raise MpConflict(_("The participant list is not public."),
                             "private_list")
        registrations, total = self._paginate(
            self.env["event.registration"],
            [("event_id", "=", event.id), ("state", "in", ("open", "done"))],
            page, size, order="create_date desc, id desc")
        return self._page(registrations, total, page, size, lambda r: {
            "name": r.partner_id._mp_public_name(),
            "avatar_url": r.partner_id.mp_avatar_url or "",
            "checked_in": r.state == "done",
        })

    def reviews(self, _id, page, size):
        event = self._event(_id)
        reviews, total = self._paginate(
            self.env["event.mp.review"],
            [("event_id", "=", event.id), ("hidden", "=", False)],
            page, size)
        result = self._page(reviews, total, page, size,
                            lambda review: review._mp_json())
        result["rating"] = round(event.mp_rating_avg, 2)
        return result

    # -- joining ---------------------------------------------------------

    def join(self, _id, answers=None):
        """Sign up. A paid activity returns the WeChat payment to make
        (``payment``); the seat is held until it is paid or times out."""
        event_id = self._event(_id).id
        partner_id = self.partner.id
        client_ip = self._client_ip()

        def decide(env):
            # Its own READ COMMITTED transaction: a crowd after the last
            # seats queues on the activity's lock instead of replaying
            # (see run_read_committed).
            event = env["event.event"].browse(event_id)
            registration, payment = event._mp_join(
                env["res.partner"].browse(partner_id), answers or {},
                client_ip=client_ip)
            return {"registration_id": registration.id,
                    "stage": registration.mp_stage,
                    "tag": registration._mp_tag(),
                    "payment": payment}
        return run_read_committed(self.env, decide)

    def wait(self, _id):
        """Join the waitlist of a full activity."""
        event = self._event(_id)
        event._mp_lock()
        if event.mp_status != "full":
            raise MpConflict(_("This activity is not full."), "not_full")
        entry = self.env["event.mp.waitlist"]._mp_enter(event, self.partner)
        return {"state": entry.state,
                "offer_expires_at": self.partner._mp_iso(
                    entry.offer_expires_at)}

    # -- helpers ---------------------------------------------------------

    def _company(self):
        """The API user's company: the one of the mini-program app that
        logged the caller in."""
        return self.env.user.company_id

    def _published_domain(self):
        return [("mp_published", "=", True),
                ("company_id", "=", self._company().id)]

    def _event(self, event_id):
        event = self.env["event.event"].search(
            self._published_domain() + [("id", "=", event_id)])
        if not event:
            raise MpNotFound(_("Activity not found."))
        return event

    @staticmethod
    def _parse_date(text):
        try:
            return datetime.datetime.strptime(text, "%Y-%m-%d").date()
        except ValueError:
            raise MpBadRequest(_("Dates are written YYYY-MM-DD."))

    def _period(self, when, date):
        company = self._company()
        if date:
            return local_time.day_bounds(company, self._parse_date(date))
        today = local_time.local_today(company)
        if when == "today":
            return local_time.day_bounds(company, today)
        if when == "tomorrow":
            return local_time.day_bounds(
                company, today + datetime.timedelta(days=1))
        if when == "month":
            return local_time.month_bounds(company, today)
        return None

    def _summary_writer(self, events):
        """A function writing one activity of ``events`` as a list item;
        everything is read for all of them at once."""
        rows = events._mp_list_values()
        labels = selection_labels(events, "mp_status")
        iso = self.partner._mp_iso

        def write(event):
            row = rows[event.id]
            category = row["event_type_id"]
            return {
                "id": event.id,
                "title": row["name"],
                "category": category and {
                    "id": category[0], "name": category[1]} or None,
                "cover_url": COVER_URL % row["cover_id"]
                if row["cover_id"] else None,
                "start": iso(row["date_begin"]),
                "end": iso(row["date_end"]),
                "deadline": iso(row["mp_deadline"] or row["date_begin"]),
                "address": row["mp_address"] or "",
                "status": row["status"],
                "status_text": labels[row["status"]],
                "fee_fen": row["mp_fee_fen"],
                "payment_method": row["mp_payment_method"],
                "capacity": row["seats_max"]
                if row["seats_availability"] == "limited" else 0,
                "taken": row["taken"],
                "views": row["views"],
                "recommended": row["mp_recommended"],
            }
        return write

    # -- validators ------------------------------------------------------

    def _validator_search(self):
        schema = pagination_schema()
        schema.update({
            "category_id": {"type": "integer", "coerce": int, "min": 1},
            "search": {"type": "string", "maxlength": 50},
            "sort": {"type": "string", "allowed": list(SORTS),
                     "default": "default"},
            "when": {"type": "string",
                     "allowed": ["today", "tomorrow", "month"]},
            "date": {"type": "string", "regex": DATE_REGEX},
            "recommended": {"type": "boolean",
                            "coerce": lambda v: str(v).lower() in (
                                "1", "true")},
        })
        return schema

    def _validator_return_search(self):
        return page_schema(EVENT_SCHEMA)

    def _validator_get(self):
        return {}

    def _validator_return_get(self):
        return DETAIL_SCHEMA

    def _validator_form(self):
        return {}

    def _validator_return_form(self):
        return {"fields": {"type": "list", "required": True, "schema": {
            "type": "dict", "schema": FIELD_SCHEMA}},
            "prefill": {"type": "dict", "required": True}}

    def _validator_days(self):
        return {
            "start": {"type": "string", "regex": DATE_REGEX},
            "span": {"type": "integer", "coerce": int, "min": 1,
                     "max": MAX_DAYS, "default": 31},
        }

    def _validator_return_days(self):
        return {"days": {"type": "list", "required": True,
                         "schema": {"type": "string"}}}

    def _validator_participants(self):
        return pagination_schema()

    def _validator_return_participants(self):
        return page_schema(PERSON_SCHEMA)

    def _validator_reviews(self):
        return pagination_schema()

    def _validator_return_reviews(self):
        schema = page_schema(REVIEW_SCHEMA)
        schema["rating"] = {"type": "float", "required": True}
        return schema

    def _validator_join(self):
        return {"answers": {"type": "dict", "nullable": True,
                            "keysrules": {"type": "string",
                                          "regex": r"^\d{1,9}$"}}}

    def _validator_return_join(self):
        return {
            "registration_id": {"type": "integer", "required": True},
            "stage": {"type": "string", "required": True},
            "tag": {"type": "string", "required": True},
            "payment": {"type": "dict", "nullable": True,
                        "schema": PAY_RESULT_SCHEMA},
        }

    def _validator_wait(self):
        return {}

    def _validator_return_wait(self):
        return {"state": {"type": "string", "required": True},
                "offer_expires_at": {"type": "string", "nullable": True}}
