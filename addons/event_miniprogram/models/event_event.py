# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
import secrets

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.base_wechat_miniprogram.exceptions import (
    MpBadRequest, MpConflict)
from odoo.addons.payment_wechatpay.money import fen_to_yuan
from odoo.addons.payment_wechatpay.tools import lock_row

#: Registration states that hold a seat (Odoo's: unconfirmed, confirmed,
#: attended).
SEAT_STATES = ("draft", "open", "done")
#: What the mini-program status is derived from.
STATUS_FIELDS = ("mp_published", "mp_stopped", "state", "date_begin",
                 "date_end", "mp_deadline", "seats_availability", "seats_max")


def mp_status(values, now, taken):
    """The mini-program status of an activity's ``values`` (a record or
    its ``read``) at ``now`` (UTC string) with ``taken`` seats, in the
    seed's order of precedence."""
    if not values["mp_published"] or values["mp_stopped"] or \
            values["state"] == "cancel":
        return "stopped"
    if values["date_end"] <= now or values["state"] == "done":
        return "ended"
    if (values["mp_deadline"] or values["date_begin"]) <= now:
        return "closed"
    capacity = values["seats_max"] \
        if values["seats_availability"] == "limited" else 0
    if capacity and taken >= capacity:
        return "full"
    return "open"


#: The columns of an activity in a list.
LIST_FIELDS = STATUS_FIELDS + (
    "name", "event_type_id", "mp_address", "mp_fee_fen", "mp_payment_method",
    "mp_recommended")
#: The earliest a reminder can go out (a week before the start).
MAX_REMINDER_HOURS = 168


class EventEvent(models.Model):
    """An activity as the mini-program shows and sells it.

    Odoo's event keeps what it already has (category, dates, address,
    description, capacity as ``seats_max``); this adds the sign-up rules.
    The mini-program status (stopped, ended, registration closed, full,
    open) is derived from them at request time, never stored.
    """

    _inherit = "event.event"

    mp_published = fields.Boolean(
        string="In Mini Program", copy=False,
        help="Shown in the mini-program's lists.")
    mp_stopped = fields.Boolean(
        string="Sign-up Stopped", copy=False,
        help="Shown, but nobody can sign up.")
    mp_cover_ids = fields.One2many(
        "event.mp.cover", "event_id", string="Cover Images", copy=True)
    mp_address = fields.Char(
        string="Detailed Address", compute="_compute_mp_address", store=True,
        readonly=False,
        help="The address the mini-program shows; filled from the location, "
             "editable.")
    mp_latitude = fields.Float(string="Latitude", digits=(10, 7))
    mp_longitude = fields.Float(string="Longitude", digits=(10, 7))
    mp_deadline = fields.Datetime(
        string="Registration Deadline",
        help="Empty: sign-up is open until the start.")
    mp_fee_fen = fields.Integer(
        string="Fee (fen)", help="0: free. In fen: 1 CNY = 100 fen.")
    mp_fee_display = fields.Char(
        string="Fee (CNY)", compute="_compute_mp_fee_display")
    mp_payment_method = fields.Selection([
        ("online", "WeChat Pay"),
        ("offline", "Offline"),
    ], string="Payment Method", default="online", required=True)
    mp_payment_minutes = fields.Integer(
        string="Payment Time (minutes)", default=6,
        help="An unpaid sign-up keeps its seat this long, then is "
             "cancelled.")
    mp_product_id = fields.Many2one(
        "product.product", string="Fee Product",
        default=lambda self: self.env.ref(
            "event_miniprogram.product_event_fee",
            raise_if_not_found=False),
        help="The product of the sale orders of paid sign-ups.")
    mp_approval = fields.Boolean(
        string="Approval Required",
        help="Sign-ups wait for staff to accept them.")
    mp_cancel_policy = fields.Selection([
        ("none", "Not Allowed"),
        ("allowed", "Allowed"),
        ("before_deadline", "Before the Deadline"),
    ], string="Cancellation by Users", default="allowed", required=True)
    mp_refund_rule_ids = fields.One2many(
        "event.mp.refund.rule", "event_id", string="Refund Schedule",
        copy=True,
        help="Empty: a cancellation refunds everything paid.")
    mp_public_list = fields.Boolean(
        string="Public Participant List", default=True)
    mp_sequence = fields.Integer(string="Sort Order", default=100)
    mp_recommended = fields.Boolean(string="Recommended")
    mp_form_field_ids = fields.One2many(
        "event.mp.form.field", "event_id", string="Sign-up Form", copy=True)
    mp_checker_ids = fields.Many2many(
        "res.partner", "event_mp_checker_rel", "event_id", "partner_id",
        string="Check-in Staff",
        help="Mini-program users who may check attendees in.")
    mp_checkin_token = fields.Char(
        string="Check-in Code", copy=False, readonly=True,
        default=lambda self: secrets.token_urlsafe(12))
    mp_checkin_qr = fields.Char(
        string="Check-in QR Content", compute="_compute_mp_checkin_qr",
        help="Print this as a QR code at the venue: attendees scan it to "
             "check themselves in.")
    mp_checkin_open_minutes = fields.Integer(
        string="Check-in Opens (minutes before start)", default=60)
    mp_waitlist = fields.Boolean(string="Waitlist When Full", default=True)
    mp_waitlist_offer_minutes = fields.Integer(
        string="Seat Offer Time (minutes)", default=30)
    mp_waitlist_ids = fields.One2many(
        "event.mp.waitlist", "event_id", string="Waitlist")
    mp_reminder_hours = fields.Integer(
        string="Reminder (hours before start)", default=24,
        help="0: no reminder.")
    mp_review_ids = fields.One2many(
        "event.mp.review", "event_id", string="Reviews")
    mp_rating_avg = fields.Float(
        string="Average Rating", digits=(3, 2), compute="_compute_mp_rating",
        store=True)
    mp_review_count = fields.Integer(
        string="Reviews", compute="_compute_mp_rating", store=True)
    mp_view_count = fields.Integer(
        string="Views", compute="_compute_mp_counts")
    mp_seats_taken = fields.Integer(
        string="Seats Taken", compute="_compute_mp_counts",
        help="Sign-ups that hold a seat: awaiting payment or review, "
             "confirmed and attended.")
    mp_paid_count = fields.Integer(
        string="Paid Sign-ups", compute="_compute_mp_counts")
    mp_paid_fen = fields.Integer(
        string="Paid (fen)", compute="_compute_mp_counts")
    mp_status = fields.Selection([
        ("stopped", "Stopped"),
        ("ended", "Ended"),
        ("closed", "Registration Closed"),
        ("full", "Full"),
        ("open", "Open"),
    ], string="Mini-Program Status", compute="_compute_mp_status")

    @api.depends("address_id")
    def _compute_mp_address(self):
        for event in self:
            event.mp_address = " ".join(
                (event.address_id.contact_address or "").split()) or False

    @api.depends("mp_fee_fen")
    def _compute_mp_fee_display(self):
        for event in self:
            event.mp_fee_display = "%.2f" % fen_to_yuan(event.mp_fee_fen)

    @api.depends("mp_checkin_token")
    def _compute_mp_checkin_qr(self):
        for event in self:
            event.mp_checkin_qr = "mpevent:checkin:%d:%s" % (
                event.id, event.mp_checkin_token or "")

    @api.depends("mp_review_ids.rating", "mp_review_ids.hidden")
    def _compute_mp_rating(self):
        for event in self:
            ratings = event.mp_review_ids.filtered(
                lambda r: not r.hidden).mapped("rating")
            event.mp_review_count = len(ratings)
            event.mp_rating_avg = ratings and \
                float(sum(ratings)) / len(ratings) or 0.0

    def _compute_mp_counts(self):
        """One grouped query each for the whole batch (lists show many)."""
        taken = self._mp_seats_taken_by_event()
        views = self.env["event.mp.view"]._count_by_event(self)
        paid = {}
        if self.ids:
            self.env.cr.execute("""
                SELECT event_id, count(*), COALESCE(sum(mp_paid_fen), 0)
                FROM event_registration
                WHERE event_id IN %s AND mp_payment_state = 'paid'
                  AND state IN %s
                GROUP BY event_id""", (tuple(self.ids), SEAT_STATES))
            paid = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        for event in self:
            event.mp_seats_taken = taken.get(event.id, 0)
            event.mp_view_count = views.get(event.id, 0)
            event.mp_paid_count, event.mp_paid_fen = paid.get(
                event.id, (0, 0))

    def _compute_mp_status(self):
        taken = self._mp_seats_taken_by_event()
        now = fields.Datetime.now()
        for event in self:
            event.mp_status = event._mp_status_at(now, taken.get(event.id, 0))

    @api.constrains("mp_fee_fen", "mp_payment_minutes",
                    "mp_waitlist_offer_minutes", "mp_deadline", "date_end",
                    "mp_reminder_hours")
    def _check_mp_settings(self):
        for event in self:
            if event.mp_fee_fen < 0:
                raise ValidationError(_("The fee cannot be negative."))
            if event.mp_payment_minutes < 1 or \
                    event.mp_waitlist_offer_minutes < 1:
                raise ValidationError(
                    _("Payment and offer times are at least one minute."))
            if not 0 <= event.mp_reminder_hours <= MAX_REMINDER_HOURS:
                raise ValidationError(_(
                    "Reminders go out at most 168 hours before the start."))
            if event.mp_deadline and event.date_end and \
                    event.mp_deadline > event.date_end:
                raise ValidationError(_(
                    "The registration deadline cannot be after the end."))

    # -- status ----------------------------------------------------------

    @api.multi
    def _mp_capacity(self):
        """Seats, 0 when unlimited."""
        self.ensure_one()
        return self.seats_max if self.seats_availability == "limited" else 0

    @api.multi
    def _mp_deadline(self):
        """When sign-up closes: the deadline, or the start."""
        self.ensure_one()
        return self.mp_deadline or self.date_begin

    @api.multi
    def _mp_status_at(self, now, taken):
        """The mini-program status at ``now`` (UTC string) with ``taken``
        seats."""
        self.ensure_one()
        return mp_status({name: self[name] for name in STATUS_FIELDS},
                         now, taken)

    @api.multi
    def _mp_list_values(self):
        """What a list shows of these activities, read in a few queries:
        only these columns (not every stored field, which the ORM's
        prefetch would load), the first cover of each, seats taken and
        views counted per activity. ``{id: values}``, values as
        ``read`` gives them plus ``status``, ``taken``, ``views`` and
        ``cover_id``."""
        if not self:
            return {}
        rows = {row["id"]: row for row in self.read(list(LIST_FIELDS))}
        taken = self._mp_seats_taken_by_event()
        views = self.env["event.mp.view"]._count_by_event(self)
        self.env.cr.execute("""
            SELECT DISTINCT ON (event_id) event_id, id FROM event_mp_cover
            WHERE event_id IN %s ORDER BY event_id, sequence, id
            """, (tuple(self.ids),))
        covers = dict(self.env.cr.fetchall())
        now = fields.Datetime.now()
        for event_id, row in rows.items():
            row.update(taken=taken.get(event_id, 0),
                       views=views.get(event_id, 0),
                       cover_id=covers.get(event_id))
            row["status"] = mp_status(row, now, row["taken"])
        return rows

    @api.multi
    def _mp_seats_taken_by_event(self, exclude_partner=None):
        """Seats held per activity: sign-ups that hold one, plus seats
        offered to waitlisted users (other than ``exclude_partner``)."""
        if not self.ids:
            return {}
        cr = self.env.cr
        cr.execute("""
            SELECT event_id, count(*) FROM event_registration
            WHERE event_id IN %s AND state IN %s GROUP BY event_id
            """, (tuple(self.ids), SEAT_STATES))
        taken = dict(cr.fetchall())
        cr.execute("""
            SELECT event_id, count(*) FROM event_mp_waitlist
            WHERE event_id IN %s AND state = 'offered'
              AND offer_expires_at > %s AND partner_id != %s
            GROUP BY event_id
            """, (tuple(self.ids), fields.Datetime.now(),
                  exclude_partner.id if exclude_partner else 0))
        for event_id, count in cr.fetchall():
            taken[event_id] = taken.get(event_id, 0) + count
        return taken

    @api.multi
    def _mp_free_seats(self, partner=None):
        """Free seats for ``partner`` (None: unlimited)."""
        self.ensure_one()
        capacity = self._mp_capacity()
        if not capacity:
            return None
        taken = self._mp_seats_taken_by_event(exclude_partner=partner)
        return capacity - taken.get(self.id, 0)

    @api.multi
    def _mp_refund_percent(self, now=None):
        """What a cancellation at ``now`` refunds, per the schedule."""
        self.ensure_one()
        if not self.mp_refund_rule_ids:
            return 100
        now = fields.Datetime.from_string(now or fields.Datetime.now())
        start = fields.Datetime.from_string(self.date_begin)
        applicable = self.mp_refund_rule_ids.filtered(
            lambda rule: now <= start - datetime.timedelta(
                days=rule.days_before))
        return max(applicable.mapped("percent") or [0])

    # -- joining ---------------------------------------------------------

    @api.multi
    def _mp_lock(self):
        """Serialise everything that counts seats of this activity."""
        self.ensure_one()
        lock_row(self.env.cr, self._table, self.id)
        self.invalidate_cache(ids=self.ids)

    @api.multi
    def _mp_active_registration(self, partner):
        self.ensure_one()
        return self.env["event.registration"].search([
            ("event_id", "=", self.id), ("partner_id", "=", partner.id),
            ("mp_joined", "=", True), ("state", "!=", "cancel")], limit=1)

    @api.multi
    def _mp_join(self, partner, answers, client_ip=None, on_behalf=False):
        """Sign ``partner`` up, under the activity's lock.

        409 when the activity does not take sign-ups, is full (for this
        user) or the user already holds a sign-up; 400 when the answers do
        not fit the form. Returns ``(registration, payment)``; ``payment``
        is the WeChat payment to make, or None.
        """
        self.ensure_one()
        self._mp_lock()
        status = self._mp_status_at(fields.Datetime.now(), 0)
        if status != "open" and not (on_behalf and status == "closed"):
            raise MpConflict({
                "stopped": _("Sign-up for this activity is stopped."),
                "ended": _("This activity has ended."),
                "closed": _("Sign-up for this activity has closed."),
            }[status], "closed")
        if self._mp_active_registration(partner):
            raise MpConflict(_("You have already signed up."),
                             "already_joined")
        # Staff adding someone at the desk may leave the form empty.
        values = self._mp_answer_values(answers) if not on_behalf else []
        free = self._mp_free_seats(partner)
        if free is not None and free <= 0:
            raise MpConflict(_("This activity is full."), "full")
        offer = self.mp_waitlist_ids.filtered(
            lambda e: e.partner_id == partner and
            e.state in ("waiting", "offered"))
        offer.write({"state": "joined"})
        # No chatter on creation (no follower, no "created" line, no
        # tracking): it costs more than the rest of a join, under the
        # activity's lock. Later changes are tracked as usual.
        registration = self.env["event.registration"].with_context(
            registration_force_draft=True, tracking_disable=True).create({
                "event_id": self.id,
                "partner_id": partner.id,
                "name": partner.name,
                "phone": partner.mp_phone or partner.phone,
                "email": partner.email,
                "mp_joined": True,
                "mp_on_behalf": on_behalf,
                "mp_fee_fen": self.mp_fee_fen,
                "mp_payment_state": "free" if not self.mp_fee_fen
                else "unpaid",
                "mp_answer_ids": values,
            })
        payment = None
        if self.mp_fee_fen and self.mp_payment_method == "online" and \
                not on_behalf:
            payment = registration._mp_open_payment(client_ip)
        else:
            registration._mp_admit()
        return registration, payment

    @api.multi
    def _mp_answer_values(self, answers):
        """The answer rows of ``answers`` (``{field id: value}``), or 400
        with each wrong field's reason."""
        self.ensure_one()
        answers = dict(answers or {})
        errors = {}
        values = []
        known = {str(field.id) for field in self.mp_form_field_ids}
        for key in answers:
            if str(key) not in known:
                errors[str(key)] = _("No such question.")
        for field in self.mp_form_field_ids:
            raw = answers.get(str(field.id), answers.get(field.id))
            try:
                text = field._mp_clean(raw)
            except ValueError as error:
                errors[str(field.id)] = str(error)
                continue
            values.append((0, 0, {
                "field_id": field.id, "sequence": field.sequence,
                "label": field.name, "kind": field.kind, "value": text,
            }))
        if errors:
            raise MpBadRequest(_("Some answers are not valid."),
                               details=errors)
        return values

    @api.multi
    def _mp_prefill(self, partner):
        """The caller's latest answers to questions like this form's (same
        label and type), to pre-fill it."""
        self.ensure_one()
        result = {}
        wanted = {(f.name, f.kind): f for f in self.mp_form_field_ids}
        if not wanted:
            return result
        answers = self.env["event.mp.answer"].search([
            ("registration_id.partner_id", "=", partner.id),
            ("label", "in", [label for label, _kind in wanted]),
        ], order="id desc", limit=200)
        for answer in answers:
            field = wanted.get((answer.label, answer.kind))
            if field and str(field.id) not in result and answer.value:
                result[str(field.id)] = answer.value.split("\n") \
                    if field.kind == "multiple" else answer.value
        return result

    # -- seats freed -----------------------------------------------------

    @api.multi
    def _mp_offer_free_seats(self):
        """Offer free seats to the first waiting users (under the lock)."""
        for event in self.filtered("mp_waitlist"):
            if event._mp_status_at(fields.Datetime.now(), 0) != "open":
                continue
            free = event._mp_free_seats()
            if free is None or free <= 0:
                continue
            waiting = event.env["event.mp.waitlist"].search([
                ("event_id", "=", event.id), ("state", "=", "waiting")],
                limit=free)
            waiting._mp_offer()
        return True

    # -- messages --------------------------------------------------------

    @api.multi
    def _mp_notify(self, partner, event_code, status, note):
        """Queue a subscribe message about this activity to ``partner``
        (sent only if they consented; see base_wechat_miniprogram)."""
        self.ensure_one()
        # The system's message, whoever triggers it (staff approving, the
        # reconciliation cron): event users have no right to the queue.
        return self.env["mp.subscribe.message"].sudo()._enqueue(
            partner, event_code, {
                "thing1": {"value": self.name[:20]},
                "time2": {"value": (partner._mp_iso(self.date_begin) or "")
                          [:16].replace("T", " ")},
                "phrase3": {"value": status[:5]},
                "thing4": {"value": (note or "-")[:20]},
            }, page="pages/event/detail?id=%d" % self.id)

    @api.model
    def _cron_mp_send_reminders(self, limit=500):
        """Remind confirmed attendees of activities starting within their
        reminder time; each sign-up once. Bounded per run."""
        now = datetime.datetime.utcnow()
        registrations = self.env["event.registration"].search([
            ("mp_joined", "=", True), ("state", "=", "open"),
            ("mp_reminded", "=", False),
            ("event_id.date_begin", ">", fields.Datetime.to_string(now)),
            ("event_id.date_begin", "<=", fields.Datetime.to_string(
                now + datetime.timedelta(hours=MAX_REMINDER_HOURS))),
        ], limit=limit)
        due = registrations.filtered(
            lambda r: r.event_id.mp_reminder_hours and
            fields.Datetime.from_string(r.event_id.date_begin) <= now +
            datetime.timedelta(hours=r.event_id.mp_reminder_hours))
        for registration in due:
            registration.event_id._mp_notify(
                registration.partner_id, "event_reminder",
                _("Starting soon"), registration.event_id.address_id.name)
        due.write({"mp_reminded": True})
        return len(due)

    # -- back office -----------------------------------------------------

    @api.multi
    def action_mp_new_checkin_token(self):
        """A new check-in QR (the old one stops working)."""
        for event in self:
            event.mp_checkin_token = secrets.token_urlsafe(12)
        return True

    @api.multi
    def action_mp_publish(self):
        self.write({"mp_published": True})
        return True

    @api.multi
    def action_mp_unpublish(self):
        self.write({"mp_published": False})
        return True

    @api.multi
    def action_mp_registrations(self):
        self.ensure_one()
        action = self.env.ref(
            "event_miniprogram.action_event_mp_registration").read()[0]
        action["domain"] = [("event_id", "=", self.id)]
        action["context"] = {"default_event_id": self.id,
                             "search_default_mp_holding": 1}
        return action
