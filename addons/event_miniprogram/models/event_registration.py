# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
import hashlib
import hmac
import secrets

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base_wechat_miniprogram.exceptions import (
    MpConflict, MpNotFound)
from odoo.addons.payment_wechatpay.money import format_fen
from odoo.addons.payment_wechatpay.tools import lock_row

CODE_DIGITS = 15
QR_PREFIX = "EVR1"


class EventRegistration(models.Model):
    """A sign-up from the mini-program (or made by staff on a user's
    behalf) on top of Odoo's registration.

    Odoo's ``state`` stays the truth of the seat: ``draft`` holds one while
    the sign-up waits for payment or review, ``open`` is confirmed,
    ``done`` attended, ``cancel`` released. ``mp_stage`` names the same
    with the mini-program's distinctions, so Odoo's own buttons keep
    working. A paid sign-up has a sale order (``sale_order_id``, from
    event_sale) paid through payment_wechatpay.
    """

    _inherit = "event.registration"

    mp_joined = fields.Boolean(
        string="Mini-Program Sign-up", readonly=True, index=True,
        help="Signed up through the mini-program rules: one active "
             "sign-up per user and activity.")
    mp_on_behalf = fields.Boolean(string="Added by Staff", readonly=True)
    mp_stage = fields.Selection([
        ("to_pay", "Awaiting Payment"),
        ("to_review", "Pending Review"),
        ("confirmed", "Confirmed"),
        ("attended", "Checked In"),
        ("cancelled", "Cancelled"),
        ("rejected", "Rejected"),
    ], string="Sign-up Status", compute="_compute_mp_stage", store=True,
        index=True)
    mp_review_pending = fields.Boolean(string="Awaiting Review",
                                       readonly=True)
    mp_code = fields.Char(
        string="Verification Code", readonly=True, copy=False)
    mp_answer_ids = fields.One2many(
        "event.mp.answer", "registration_id", string="Form Answers",
        readonly=True)
    mp_answers_summary = fields.Text(
        string="Answers", compute="_compute_mp_answers_summary")
    mp_fee_fen = fields.Integer(string="Fee (fen)", readonly=True)
    mp_payment_state = fields.Selection([
        ("free", "Free"),
        ("unpaid", "Unpaid"),
        ("paid", "Paid"),
        ("refund_due", "Refund Due (offline)"),
        ("refunded", "Refunded"),
    ], string="Payment Status", readonly=True, index=True)
    mp_paid_fen = fields.Integer(string="Paid (fen)", readonly=True)
    mp_paid_at = fields.Datetime(string="Paid On", readonly=True)
    mp_paid_offline = fields.Boolean(string="Paid Offline", readonly=True)
    mp_refunded_fen = fields.Integer(string="Refunded (fen)", readonly=True)
    mp_pay_deadline = fields.Datetime(string="Pay Before", readonly=True)
    mp_cancelled_by = fields.Selection([
        ("user", "The User"),
        ("staff", "Staff"),
        ("rejected", "Rejected by Staff"),
        ("unpaid", "Not Paid in Time"),
    ], string="Cancelled By", readonly=True)
    mp_cancel_note = fields.Char(string="Reason Given", readonly=True)
    mp_cancelled_at = fields.Datetime(string="Cancelled On", readonly=True)
    mp_checkin_method = fields.Selection([
        ("self", "Self (venue QR)"),
        ("staff", "Staff (mini-program)"),
        ("backoffice", "Back Office"),
    ], string="Check-in Method", readonly=True)
    mp_checker_id = fields.Many2one(
        "res.partner", string="Checker", readonly=True)
    mp_reminded = fields.Boolean(string="Reminder Sent", readonly=True)
    mp_review_id = fields.One2many(
        "event.mp.review", "registration_id", string="Review")

    @api.depends("state", "mp_cancelled_by", "mp_review_pending")
    def _compute_mp_stage(self):
        for registration in self:
            state = registration.state
            if state == "cancel":
                stage = "rejected" if \
                    registration.mp_cancelled_by == "rejected" \
                    else "cancelled"
            elif state == "done":
                stage = "attended"
            elif state == "open":
                stage = "confirmed"
            else:
                stage = "to_review" if registration.mp_review_pending \
                    else "to_pay"
            registration.mp_stage = stage

    @api.depends("mp_answer_ids.value")
    def _compute_mp_answers_summary(self):
        for registration in self:
            registration.mp_answers_summary = "\n".join(
                "%s: %s" % (answer.label,
                            (answer.value or "").replace("\n", ", "))
                for answer in registration.mp_answer_ids)

    @api.model_cr
    def init(self):
        # One active sign-up per user and activity, whatever arrives at
        # once (the activity's lock decides first; this is the backstop).
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS "
            "event_registration_mp_active_uniq ON event_registration "
            "(event_id, partner_id) WHERE mp_joined AND state != 'cancel'")
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS event_registration_mp_code_uniq"
            " ON event_registration (mp_code) WHERE mp_code IS NOT NULL")

    @api.model
    def create(self, vals):
        if vals.get("mp_joined") and not vals.get("mp_code"):
            vals["mp_code"] = self._mp_new_code()
        return super(EventRegistration, self).create(vals)

    @api.model
    def _mp_new_code(self):
        """A fresh 15-digit verification code: random (not guessable from
        another one), checked unused (the unique index is the backstop)."""
        while True:
            code = "%d" % (10 ** (CODE_DIGITS - 1) + secrets.randbelow(
                9 * 10 ** (CODE_DIGITS - 1)))
            self.env.cr.execute(
                "SELECT 1 FROM event_registration WHERE mp_code = %s",
                (code,))
            if not self.env.cr.fetchone():
                return code

    # -- Odoo's buttons --------------------------------------------------

    @api.multi
    def button_reg_cancel(self):
        """OCA's reason wizard ends here (``bypass_reason``): a staff
        cancellation of a mini-program sign-up refunds it in full."""
        if self.env.context.get("bypass_reason"):
            mp = self.filtered("mp_joined")
            for registration in mp:
                registration._mp_cancel_by_staff(
                    registration.cancel_reason_id)
            return super(EventRegistration, self - mp).button_reg_cancel()
        return super(EventRegistration, self).button_reg_cancel()

    # -- helpers ---------------------------------------------------------

    @api.multi
    def _mp_lock(self):
        self.ensure_one()
        lock_row(self.env.cr, self._table, self.id)
        self.invalidate_cache(ids=self.ids)

    @api.multi
    def _mp_tag(self):
        """The seed's tag on the activity page: pending review, signed
        up, signed up and paid."""
        self.ensure_one()
        if self.mp_stage == "to_pay":
            return _("Awaiting payment")
        if self.mp_stage == "to_review":
            return _("Pending review")
        if self.mp_payment_state == "paid":
            return _("Signed up and paid")
        return _("Signed up")

    @api.multi
    def _mp_notify(self, event_code, status, note=None):
        for registration in self:
            registration.event_id._mp_notify(
                registration.partner_id, event_code, status, note)

    # -- paying ----------------------------------------------------------

    @api.multi
    def _mp_open_payment(self, client_ip=None):
        """Hold the seat and open the WeChat payment of the fee, which
        lives as long as the activity's payment time."""
        self.ensure_one()
        event = self.event_id
        deadline = datetime.datetime.utcnow() + datetime.timedelta(
            minutes=event.mp_payment_minutes)
        self.mp_pay_deadline = fields.Datetime.to_string(deadline)
        order = self._mp_make_order()
        return order._wechatpay_pay(
            "wechatpay", expire_at=deadline, client_ip=client_ip)

    @api.multi
    def _mp_make_order(self):
        """The quotation of the fee. Sales documents are the back
        office's: the API user has no right to them, and the caller has
        been checked (their own sign-up, the activity's price)."""
        self.ensure_one()
        event = self.event_id.sudo()
        product = event.mp_product_id or self.env.ref(
            "event_miniprogram.product_event_fee")
        order = self.env["sale.order"].sudo()._wechatpay_quotation(
            self.partner_id, event.company_id,
            [(product, "%s: %s" % (product.name, event.name),
              self.mp_fee_fen, 1)],
            origin=event.name)
        self.write({"sale_order_id": order.id,
                    "sale_order_line_id": order.order_line[:1].id,
                    "origin": order.name})
        return order.with_env(self.env)

    @api.multi
    def _mp_repay(self, client_ip=None):
        """The open payment again (the user closed the pay sheet)."""
        self.ensure_one()
        if self.mp_stage != "to_pay" or not self.sale_order_id or \
                self.mp_pay_deadline <= fields.Datetime.now():
            raise MpConflict(_("This sign-up is not waiting for payment."),
                             "not_payable")
        return self.sale_order_id._wechatpay_pay(
            "wechatpay", client_ip=client_ip,
            expire_at=fields.Datetime.from_string(self.mp_pay_deadline))

    @api.multi
    def _mp_payment_received(self):
        """The sale order was paid: the sign-up goes on to review or is
        confirmed."""
        for registration in self:
            order = registration.sale_order_id
            registration.write({
                "mp_payment_state": "paid",
                "mp_paid_fen": order.wechatpay_amount_fen,
                "mp_paid_at": fields.Datetime.now(),
            })
            registration._mp_admit()
        return True

    @api.multi
    def _mp_admit(self):
        """Free, offline or paid: confirmed, or waiting for review."""
        for registration in self:
            if registration.event_id.mp_approval and \
                    not registration.mp_on_behalf:
                registration.write({"mp_review_pending": True,
                                    "state": "draft"})
                registration._mp_notify("event_submitted",
                                        _("Pending review"))
            else:
                registration.write({"mp_review_pending": False,
                                    "state": "open"})
                registration._mp_notify("event_confirmed", _("Signed up"))
        return True

    @api.multi
    def action_mp_record_offline_payment(self):
        """Staff received the fee in person."""
        for registration in self:
            if registration.mp_payment_state != "unpaid":
                raise UserError(_("%s owes nothing.") % registration.name)
            registration.write({
                "mp_payment_state": "paid",
                "mp_paid_offline": True,
                "mp_paid_fen": registration.mp_fee_fen,
                "mp_paid_at": fields.Datetime.now(),
            })
        return True

    @api.multi
    def action_mp_mark_refunded(self):
        """Staff paid an offline refund back."""
        for registration in self.filtered(
                lambda r: r.mp_payment_state == "refund_due"):
            registration.mp_payment_state = "refunded"
        return True

    # -- review ----------------------------------------------------------

    @api.multi
    def action_mp_approve(self):
        for registration in self:
            registration._mp_lock()
            if registration.mp_stage != "to_review":
                raise UserError(_("%s is not pending review.")
                                % registration.name)
            registration.write({"mp_review_pending": False,
                                "state": "open"})
            registration._mp_notify("event_review_result", _("Approved"))
        return True

    @api.multi
    def _mp_reject(self, reason=None, note=None):
        """Staff turn the sign-up down; what was paid goes back."""
        self.ensure_one()
        self._mp_lock()
        if self.mp_stage not in ("to_review", "confirmed"):
            raise UserError(_("%s cannot be rejected now.") % self.name)
        self._mp_cancel("rejected", reason, note, 100)
        self._mp_notify("event_review_result", _("Rejected"), note)
        return True

    # -- cancelling ------------------------------------------------------

    @api.multi
    def _mp_cancel_by_user(self, note=None):
        """The user cancels, if the activity's policy lets them; the
        refund follows the schedule. 409 otherwise."""
        self.ensure_one()
        event = self.event_id
        event._mp_lock()
        self._mp_lock()
        now = fields.Datetime.now()
        if self.state == "cancel":
            raise MpConflict(_("This sign-up is already cancelled."),
                             "cancelled")
        if self.state == "done":
            raise MpConflict(_("You have checked in already."),
                             "checked_in")
        if event.date_end <= now:
            raise MpConflict(_("This activity has ended."), "ended")
        policy = event.mp_cancel_policy
        unpaid_hold = self.mp_stage == "to_pay"
        if not unpaid_hold and (policy == "none" or (
                policy == "before_deadline" and event._mp_deadline() <= now)):
            raise MpConflict(_("This sign-up can no longer be cancelled."),
                             "not_cancellable")
        self._mp_cancel("user", None, note, event._mp_refund_percent(now))
        self._mp_notify("event_cancelled", _("Cancelled"), note)
        return True

    @api.multi
    def _mp_cancel_by_staff(self, reason=None, note=None):
        """Staff cancel (the activity is off, the user asked...): a full
        refund."""
        self.ensure_one()
        self._mp_lock()
        if self.state == "cancel":
            return False
        self._mp_cancel("staff", reason, note, 100)
        self._mp_notify("event_cancelled", _("Cancelled"),
                        note or reason.name if reason else note)
        return True

    @api.multi
    def _mp_cancel_unpaid(self):
        """The payment time ran out (payment_wechatpay's reconciliation
        cancelled the WeChat order)."""
        reason = self.env.ref("event_miniprogram.cancel_reason_unpaid")
        for registration in self:
            registration._mp_lock()
            if registration.mp_stage != "to_pay":
                continue
            registration._mp_cancel("unpaid", reason, None, 0)
        return True

    @api.multi
    def _mp_cancel(self, by, reason, note, refund_percent):
        """Cancel, keep the record, refund ``refund_percent`` of what was
        paid, and offer the freed seat to the waitlist."""
        self.ensure_one()
        self.write({
            "state": "cancel",
            "mp_cancelled_by": by,
            "cancel_reason_id": reason.id if reason else False,
            "mp_cancel_note": note or False,
            "mp_cancelled_at": fields.Datetime.now(),
            "mp_review_pending": False,
        })
        self._mp_refund(refund_percent, note or (reason and reason.name))
        # An unpaid quotation goes with it (sales documents are the
        # back office's, see _mp_make_order).
        order = self.sudo().sale_order_id
        if order and order.state in ("draft", "sent"):
            order.action_cancel()
        self.event_id._mp_offer_free_seats()
        return True

    @api.multi
    def _mp_refund(self, percent, reason=None):
        """Give back ``percent`` of what was paid: through WeChat Pay for
        a WeChat payment (a credit note follows), as a refund due for an
        offline one. Rounded down to the fen."""
        self.ensure_one()
        if self.mp_payment_state != "paid" or not percent:
            return False
        amount = self.mp_paid_fen * percent // 100
        if not amount:
            return False
        description = _("Sign-up %s cancelled") % self.mp_code
        if self.mp_paid_offline:
            self.write({"mp_payment_state": "refund_due",
                        "mp_refunded_fen": amount})
            return True
        # The refund follows a decision the caller may make (they just
        # changed this sign-up); payment_wechatpay books it.
        self.sale_order_id._wechatpay_refund(
            amount, ("%s: %s" % (description, reason))
            if reason else description)
        self.write({"mp_payment_state": "refunded",
                    "mp_refunded_fen": amount})
        self._mp_notify("event_refunded", _("Refunded"),
                        _("%s CNY") % format_fen(amount))
        return True

    # -- checking in -----------------------------------------------------

    @api.multi
    def _mp_check_in(self, method, checker=None, enforce_window=True):
        """Mark the attendee present; True if done now, False if they had
        checked in already (checking in twice changes nothing)."""
        self.ensure_one()
        self._mp_lock()
        if self.state == "done":
            return False
        if self.state != "open":
            raise MpConflict(_("Only confirmed sign-ups can check in."),
                             "not_confirmed")
        event = self.event_id
        if enforce_window:
            now = datetime.datetime.utcnow()
            opens = fields.Datetime.from_string(event.date_begin) - \
                datetime.timedelta(minutes=event.mp_checkin_open_minutes)
            if now < opens:
                raise MpConflict(_("Check-in has not opened yet."),
                                 "checkin_not_open")
            if now > fields.Datetime.from_string(event.date_end):
                raise MpConflict(_("This activity has ended."), "ended")
        self.write({
            "state": "done",
            "date_closed": fields.Datetime.now(),
            "mp_checkin_method": method,
            "mp_checker_id": checker.id if checker else False,
        })
        return True

    @api.model
    def _mp_find_for_checker(self, checker, code=None, qr=None):
        """The sign-up a staff member scans or types in: only of an
        activity they check (404 for anything else, not 403, so codes
        cannot be probed)."""
        registration = self.browse()
        if qr:
            registration = self._mp_from_qr(qr)
        elif code:
            registration = self.search([("mp_code", "=", code),
                                        ("mp_joined", "=", True)], limit=1)
        if not registration or \
                checker not in registration.event_id.mp_checker_ids:
            raise MpNotFound(_("Sign-up not found."))
        return registration

    @api.multi
    def action_mp_check_in(self):
        for registration in self:
            registration._mp_check_in("backoffice", enforce_window=False)
        return True

    # -- the QR code -----------------------------------------------------

    @api.model
    def _mp_qr_key(self):
        # The database secret is a system parameter only administrators
        # read; it signs, and never leaves the server.
        secret = self.env["ir.config_parameter"].sudo().get_param(
            "database.secret")
        return hashlib.sha256(
            ("event_miniprogram.qr:%s" % secret).encode()).digest()

    @api.multi
    def _mp_qr_payload(self):
        """What the sign-up's QR code holds: id, code and a signature,
        checked by ``_mp_from_qr``."""
        self.ensure_one()
        body = "%s.%d.%s" % (QR_PREFIX, self.id, self.mp_code)
        signature = hmac.new(self._mp_qr_key(), body.encode(),
                             hashlib.sha256).hexdigest()[:24]
        return "%s.%s" % (body, signature)

    @api.model
    def _mp_from_qr(self, payload):
        parts = (payload or "").split(".")
        if len(parts) != 4 or parts[0] != QR_PREFIX or \
                not parts[1].isdigit():
            return self.browse()
        body = ".".join(parts[:3])
        expected = hmac.new(self._mp_qr_key(), body.encode(),
                            hashlib.sha256).hexdigest()[:24]
        if not hmac.compare_digest(expected, parts[3]):
            return self.browse()
        registration = self.search([("id", "=", int(parts[1])),
                                    ("mp_code", "=", parts[2])])
        return registration

    @api.multi
    def _mp_retake_seat(self):
        """Back to awaiting payment if the sign-up was cancelled as unpaid
        and the activity still takes it (open, a seat free, no other
        active sign-up of the user). Under the activity's lock."""
        self.ensure_one()
        event = self.event_id
        event._mp_lock()
        self._mp_lock()
        if self.mp_stage != "cancelled" or self.mp_cancelled_by != "unpaid":
            return False
        if event._mp_status_at(fields.Datetime.now(), 0) != "open" or \
                event._mp_active_registration(self.partner_id):
            return False
        free = event._mp_free_seats(self.partner_id)
        if free is not None and free <= 0:
            return False
        self.write({"state": "draft", "mp_cancelled_by": False,
                    "cancel_reason_id": False, "mp_cancelled_at": False,
                    "mp_review_pending": False})
        return True
