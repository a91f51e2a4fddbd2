# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, fields

from odoo.addons.base_wechat_miniprogram.exceptions import (
    MpConflict, MpNotFound)
from odoo.addons.base_wechat_miniprogram.services.base_service import (
    page_schema, pagination_schema)
from odoo.addons.base_wechat_miniprogram.tools import like_literal
from odoo.addons.component.core import Component
from odoo.addons.payment_wechatpay.services.payment_service import (
    PAY_RESULT_SCHEMA)

from .common import selection_labels

#: The seed's filters of "my sign-ups".
FILTERS = {
    "confirmed": [("mp_stage", "in", ("confirmed", "attended"))],
    "pending": [("mp_stage", "in", ("to_pay", "to_review"))],
    "cancelled_by_me": [("mp_stage", "=", "cancelled"),
                        ("mp_cancelled_by", "=", "user")],
    "cancelled_by_staff": [("mp_stage", "in", ("cancelled", "rejected")),
                           ("mp_cancelled_by", "in",
                            ("staff", "rejected", "unpaid"))],
}
SORTS = {
    "newest": "create_date desc, id desc",
    "oldest": "create_date, id",
}
URL_REGEX = r"^https://[^\s]{1,500}$"

ITEM_SCHEMA = {
    "id": {"type": "integer", "required": True},
    "event_id": {"type": "integer", "required": True},
    "title": {"type": "string", "required": True},
    "start": {"type": "string", "required": True},
    "end": {"type": "string", "required": True},
    "stage": {"type": "string", "required": True},
    "stage_text": {"type": "string", "required": True},
    "payment_state": {"type": "string", "nullable": True},
    "fee_fen": {"type": "integer", "required": True},
    "cancel_reason": {"type": "string", "nullable": True},
    "created_at": {"type": "string", "nullable": True},
}
DETAIL_SCHEMA = dict(ITEM_SCHEMA, **{
    "code": {"type": "string", "required": True},
    "qr": {"type": "string", "required": True},
    "paid_fen": {"type": "integer", "required": True},
    "refunded_fen": {"type": "integer", "required": True},
    "pay_before": {"type": "string", "nullable": True},
    "checked_in_at": {"type": "string", "nullable": True},
    "can_cancel": {"type": "boolean", "required": True},
    "refund_percent": {"type": "integer", "required": True},
    "can_review": {"type": "boolean", "required": True},
    "answers": {"type": "list", "schema": {"type": "dict", "schema": {
        "label": {"type": "string"}, "value": {"type": "string"}}}},
})


class RegistrationService(Component):
    """The caller's own sign-ups: list and detail (verification code and
    QR), paying, cancelling, self check-in and the review."""

    _name = "mp.event.registration.service"
    _inherit = "mp.base.service"
    _usage = "registrations"
    _description = "My sign-ups: pay, cancel, check in, review."

    def search(self, page, size, sort="newest", status=None, search=None):
        domain = [("partner_id", "=", self.partner.id),
                  ("mp_joined", "=", True)]
        if status:
            domain += FILTERS[status]
        if search:
            domain.append(("event_id.name", "ilike", like_literal(search)))
        registrations, total = self._paginate(
            self.env["event.registration"], domain, page, size,
            order=SORTS[sort])
        stages = self._stage_labels()
        return self._page(registrations, total, page, size,
                          lambda r: self._item(r, stages))

    def get(self, _id):
        registration = self._registration(_id)
        result = self._item(registration)
        event = registration.event_id
        cancellable = registration.state in ("draft", "open") and (
            registration.mp_stage == "to_pay" or
            event.mp_cancel_policy == "allowed" or (
                event.mp_cancel_policy == "before_deadline" and
                event._mp_deadline() > fields.Datetime.now()))
        result.update({
            "code": registration.mp_code,
            "qr": registration._mp_qr_payload(),
            "paid_fen": registration.mp_paid_fen,
            "refunded_fen": registration.mp_refunded_fen,
            "pay_before": self.partner._mp_iso(registration.mp_pay_deadline)
            if registration.mp_stage == "to_pay" else None,
            "checked_in_at": self.partner._mp_iso(registration.date_closed)
            if registration.state == "done" else None,
            "can_cancel": bool(cancellable),
            "refund_percent": event._mp_refund_percent()
            if registration.mp_payment_state == "paid" else 0,
            "can_review": registration.state == "done" and
            not registration.mp_review_id,
            "answers": [{"label": answer.label, "value": answer.value or ""}
                        for answer in registration.mp_answer_ids],
        })
        return result

    def pay(self, _id):
        """The payment of a sign-up awaiting it, again."""
        registration = self._registration(_id)
        return registration._mp_repay(self._client_ip())

    def cancel(self, _id, reason=None):
        registration = self._registration(_id)
        registration._mp_cancel_by_user(reason)
        return self.get(_id)

    def checkin(self, _id, qr):
        """Check in by scanning the activity's check-in QR at the venue."""
        registration = self._registration(_id)
        event = registration.event_id
        if qr != event.mp_checkin_qr:
            raise MpConflict(_("This is not the check-in code of this "
                               "activity."), "wrong_code")
        done = registration._mp_check_in("self")
        return {"checked_in": True, "already": not done,
                "checked_in_at": self.partner._mp_iso(
                    registration.date_closed)}

    def review(self, _id, rating, text=None, photos=None):
        registration = self._registration(_id)
        review = self.env["event.mp.review"]._mp_post(
            registration, rating, text, photos or [])
        return {"id": review.id, "rating": review.rating}

    # -- helpers ---------------------------------------------------------

    def _registration(self, registration_id):
        registration = self.env["event.registration"].search([
            ("id", "=", registration_id),
            ("partner_id", "=", self.partner.id),
            ("mp_joined", "=", True)])
        if not registration:
            raise MpNotFound(_("Sign-up not found."))
        return registration

    def _stage_labels(self):
        return selection_labels(self.env["event.registration"], "mp_stage")

    def _item(self, registration, stages=None):
        event = registration.event_id
        iso = self.partner._mp_iso
        stages = stages or self._stage_labels()
        return {
            "id": registration.id,
            "event_id": event.id,
            "title": event.name,
            "start": iso(event.date_begin),
            "end": iso(event.date_end),
            "stage": registration.mp_stage,
            "stage_text": stages[registration.mp_stage],
            "payment_state": registration.mp_payment_state or None,
            "fee_fen": registration.mp_fee_fen,
            "cancel_reason": registration.mp_cancel_note or
            registration.cancel_reason_id.name or None,
            "created_at": iso(registration.create_date),
        }

    # -- validators ------------------------------------------------------

    def _validator_search(self):
        schema = pagination_schema()
        schema.update({
            "sort": {"type": "string", "allowed": list(SORTS),
                     "default": "newest"},
            "status": {"type": "string", "allowed": list(FILTERS)},
            "search": {"type": "string", "maxlength": 50},
        })
        return schema

    def _validator_return_search(self):
        return page_schema(ITEM_SCHEMA)

    def _validator_get(self):
        return {}

    def _validator_return_get(self):
        return DETAIL_SCHEMA

    def _validator_pay(self):
        return {}

    def _validator_return_pay(self):
        return PAY_RESULT_SCHEMA

    def _validator_cancel(self):
        return {"reason": {"type": "string", "maxlength": 200,
                           "nullable": True}}

    def _validator_return_cancel(self):
        return DETAIL_SCHEMA

    def _validator_checkin(self):
        return {"qr": {"type": "string", "required": True, "empty": False,
                       "maxlength": 200}}

    def _validator_return_checkin(self):
        return {"checked_in": {"type": "boolean", "required": True},
                "already": {"type": "boolean", "required": True},
                "checked_in_at": {"type": "string", "nullable": True}}

    def _validator_review(self):
        return {
            "rating": {"type": "integer", "required": True, "min": 1,
                       "max": 5},
            "text": {"type": "string", "maxlength": 1000, "nullable": True},
            "photos": {"type": "list", "maxlength": 9, "schema": {
                "type": "string", "regex": URL_REGEX}},
        }

    def _validator_return_review(self):
        return {"id": {"type": "integer", "required": True},
                "rating": {"type": "integer", "required": True}}
