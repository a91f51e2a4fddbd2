# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging

import requests

from odoo import _, api, fields, models

from odoo.addons.queue_job.job import job

from ..wechat.client import WeChatClientException, describe_error

_logger = logging.getLogger(__name__)

#: Tries of a message before it is marked failed.
MAX_ATTEMPTS = 5
#: Seconds before retry N (1-based); the last value repeats.
RETRY_DELAYS = (30, 120, 600, 1800)
#: WeChat errors that no retry can fix: 43101 the user refused (no consent
#: left at WeChat), 40003 bad openid, 40037 bad template, 47003 bad data.
PERMANENT_ERRORS = {43101, 40003, 40037, 47003, 41030}
#: WeChat holds no consent of the user for the template: ours is stale.
NO_CONSENT_AT_WECHAT = 43101


class MpSubscribeMessage(models.Model):
    """A subscribe message to one user, queued and sent by ``queue_job``.

    Business addons call :meth:`_enqueue` with an event code and the
    template data; the message records every attempt. Without a remaining
    consent of the user for that template the message is not sent, and
    says so (``no_consent``): WeChat would refuse it, and sending without
    consent breaks its rules.
    """

    _name = "mp.subscribe.message"
    _description = "Subscribe Message"
    _order = "id desc"

    partner_id = fields.Many2one(
        "res.partner", string="User", required=True, index=True,
        readonly=True, ondelete="cascade")
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True)
    event_code = fields.Char(string="Business Event", readonly=True)
    template_id = fields.Char(
        string="WeChat Template ID", required=True, readonly=True)
    page = fields.Char(readonly=True)
    data = fields.Text(
        readonly=True, help="Template data as WeChat expects it (JSON).")
    state = fields.Selection([
        ("queued", "Queued"),
        ("retry", "Waiting for Retry"),
        ("sent", "Sent"),
        ("no_consent", "No Consent"),
        ("failed", "Failed"),
    ], default="queued", required=True, readonly=True, index=True)
    attempts = fields.Integer(readonly=True)
    last_error = fields.Char(readonly=True)
    msgid = fields.Char(string="WeChat Message ID", readonly=True)
    sent_at = fields.Datetime(readonly=True)

    @api.model
    def _enqueue(self, partner, event_code, data, page=None):
        """Queue a message of ``event_code`` to ``partner``.

        :param data: template data, ``{"thing1": {"value": "..."}, ...}``
        :returns: the message; ``no_consent`` at once when the company has
            no template for the event or the user has no openid.
        """
        company = partner.company_id or self.env.user.company_id
        template = self.env["mp.subscribe.template"].search([
            ("event_code", "=", event_code),
            ("company_id", "=", company.id),
        ], limit=1)
        message = self.create({
            "partner_id": partner.id,
            "company_id": company.id,
            "event_code": event_code,
            "template_id": template.template_id or "-",
            "page": page or template.page,
            "data": json.dumps(data, ensure_ascii=False),
        })
        if not template:
            message._finish("no_consent", _(
                "No template is configured for the event %s.") % event_code)
        elif not partner.mp_openid:
            message._finish("no_consent", _(
                "The partner has no mini-program openid."))
        else:
            message._schedule()
        return message

    @api.multi
    def _schedule(self, eta=None):
        for message in self:
            message.with_delay(
                eta=eta, description=_("Send subscribe message %s")
                % message.id)._send()

    @api.multi
    def _finish(self, state, error=None):
        self.write({"state": state, "last_error": error})

    @job(default_channel="root.mp_message")
    @api.multi
    def _send(self):
        """Send once; on a passing failure record it and schedule a retry.

        The retry is a new job rather than a raised ``RetryableJobError``
        so that the attempt count and error survive (a raised error rolls
        the job's transaction back). The consent row stays locked during
        the call and is used only if WeChat accepts the message.
        """
        for message in self.filtered(
                lambda m: m.state in ("queued", "retry")):
            message._send_one()
        return True

    def _send_one(self):
        consent = self.env["mp.subscribe.consent"]._lock_available(
            self.partner_id, self.template_id)
        if not consent:
            self._finish("no_consent", _(
                "The user has no remaining consent for this template."))
            return
        error = result = None
        try:
            result = self.company_id._mp_client().wxa.send_subscribe_message(
                self.partner_id.mp_openid, self.template_id,
                json.loads(self.data or "{}"), page=self.page)
        except (WeChatClientException, requests.RequestException) as err:
            error = err
        attempts = self.attempts + 1
        if error is None:
            consent._consume()
            self.write({
                "state": "sent", "attempts": attempts, "last_error": False,
                "msgid": str(result.get("msgid") or ""),
                "sent_at": fields.Datetime.now(),
            })
            return
        errcode = getattr(error, "errcode", None)
        text = describe_error(error)
        _logger.info("Subscribe message %s not sent: %s", self.id, text)
        if errcode == NO_CONSENT_AT_WECHAT:
            consent._exhaust()
        if errcode in PERMANENT_ERRORS or attempts >= MAX_ATTEMPTS:
            self.write({"state": "failed", "attempts": attempts,
                        "last_error": text[:255]})
            return
        self.write({"state": "retry", "attempts": attempts,
                    "last_error": text[:255]})
        delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
        self._schedule(eta=delay)

    @api.multi
    def action_retry(self):
        """Staff: send failed messages again (a new consent may exist)."""
        failed = self.filtered(
            lambda m: m.state in ("failed", "no_consent")
            and m.template_id != "-")
        failed.write({"state": "queued", "attempts": 0})
        failed._schedule()
        return True
