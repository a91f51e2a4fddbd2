# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging

import psycopg2

from odoo import _, api, fields, models

from ..exceptions import MpBadRequest, MpConflict, MpForbidden
from ..tools import mask_name
from ..wechat.client import decrypt_wxa_data

_logger = logging.getLogger(__name__)


PROFILE_FIELDS = ["name", "mp_nickname", "mp_avatar_url", "mp_phone",
                  "mp_first_seen", "mp_last_seen"]


class ResPartner(models.Model):
    """A mini-program user is a partner, identified by openid per app."""

    _inherit = "res.partner"

    mp_app_id = fields.Char(
        string="Mini-Program AppID", readonly=True, index=True, copy=False)
    mp_openid = fields.Char(
        string="OpenID", readonly=True, index=True, copy=False)
    mp_unionid = fields.Char(
        string="UnionID", readonly=True, index=True, copy=False)
    mp_nickname = fields.Char(string="Nickname")
    mp_avatar_url = fields.Char(string="Avatar URL")
    mp_phone = fields.Char(
        string="Mini-Program Phone", readonly=True,
        help="Phone number confirmed by WeChat (getPhoneNumber).")
    mp_first_seen = fields.Datetime(string="First Seen", readonly=True)
    mp_last_seen = fields.Datetime(string="Last Seen", readonly=True)
    mp_token_ids = fields.One2many(
        "mp.api.token", "partner_id", string="API Tokens")
    mp_consent_ids = fields.One2many(
        "mp.subscribe.consent", "partner_id", string="Message Consents")

    _sql_constraints = [
        ("mp_openid_app_unique", "unique(mp_app_id, mp_openid)",
         "A WeChat openid belongs to one partner per mini-program."),
    ]

    @api.model
    def _mp_find_or_create(self, company, app_id, wx_session):
        """The partner of a ``jscode2session`` answer: ``(partner, new)``.

        The unionid, when WeChat gives one, identifies the person across the
        company's apps, so it is looked up first.
        """
        openid = wx_session["openid"]
        unionid = wx_session.get("unionid")
        partner = self._mp_find(app_id, wx_session)
        now = fields.Datetime.now()
        if partner and not partner.active:
            raise MpForbidden(
                _("This account is disabled; please contact us."),
                "account_disabled")
        if partner:
            values = {"mp_last_seen": now}
            if unionid and not partner.mp_unionid:
                values["mp_unionid"] = unionid
            if not partner.mp_openid:
                values.update(mp_app_id=app_id, mp_openid=openid)
            partner.write(values)
            return partner, False
        # Created as superuser because creating a partner recomputes
        # mail.activity.mixin's stored activity_date_deadline, a field
        # restricted to employees, which the API user is not (and must not
        # be). The API user follows nothing and logs nothing.
        quiet = self.sudo().with_context(
            mail_create_nosubscribe=True, mail_create_nolog=True,
            tracking_disable=True)
        try:
            with self.env.cr.savepoint():
                partner = quiet.create({
                    "name": _("WeChat user %s") % openid[-6:],
                    "company_id": company.id,
                    "customer": True,
                    "mp_app_id": app_id,
                    "mp_openid": openid,
                    "mp_unionid": unionid,
                    "mp_first_seen": now,
                    "mp_last_seen": now,
                })
        except psycopg2.IntegrityError:
            # The same user's first login ran twice at once and the other
            # call created the partner: the unique openid decided. This
            # transaction's snapshot cannot see that partner, so the caller
            # logs in again (with a new wx.login code).
            raise MpConflict(
                _("Your first login is still being processed; "
                  "please log in again."), "login_in_progress")
        return partner.sudo(self.env.uid), True

    @api.model
    def _mp_find(self, app_id, wx_session):
        """The partner of a WeChat identity: unionid first, then openid.

        Archived partners are found too: staff archive a partner to
        disable the account, not to let the person start a new one.
        """
        self = self.with_context(active_test=False)
        partner = self.browse()
        if wx_session.get("unionid"):
            partner = self.search(
                [("mp_unionid", "=", wx_session["unionid"])], limit=1)
        if not partner:
            partner = self.search([
                ("mp_app_id", "=", app_id),
                ("mp_openid", "=", wx_session["openid"]),
            ], limit=1)
        return partner

    @api.multi
    def _mp_update_profile(self, values, token):
        """Apply a ``PUT /mp/v1/me``: nickname, avatar, phone data."""
        self.ensure_one()
        changes = {}
        if "nickname" in values:
            changes["mp_nickname"] = values["nickname"]
            if values["nickname"].strip():
                changes["name"] = values["nickname"].strip()
        if "avatar_url" in values:
            changes["mp_avatar_url"] = values["avatar_url"]
        if changes:
            self.write(changes)
        if values.get("phone_encrypted_data"):
            self._mp_decrypt_phone(token.session_key,
                                   values["phone_encrypted_data"],
                                   values["phone_iv"])

    @api.multi
    def _mp_consent_summary(self):
        """Templates of the company with this partner's remaining consents."""
        self.ensure_one()
        company = self.company_id or self.env.user.company_id
        templates = self.env["mp.subscribe.template"].search(
            [("company_id", "=", company.id)])
        consents = {c.template_id: c for c in self.mp_consent_ids}
        return [{
            "event_code": template.event_code,
            "template_id": template.template_id,
            "description": template.name,
            "remaining": consents[template.template_id].remaining
            if template.template_id in consents else 0,
            "banned": bool(consents.get(template.template_id)
                           and consents[template.template_id].banned),
        } for template in templates]

    @api.multi
    def _mp_decrypt_phone(self, session_key, encrypted_data, iv):
        """Store the phone number of ``getPhoneNumber``'s encryptedData.

        The data is AES-encrypted with the login's session key; its
        watermark must name our AppID, or it was made for another app.
        """
        self.ensure_one()
        try:
            data = decrypt_wxa_data(
                session_key, iv, self.mp_app_id, encrypted_data)
        except ValueError as err:
            _logger.info("Undecryptable phone data for %s: %s", self.id, err)
            raise MpBadRequest(
                _("The phone number data could not be decrypted; "
                  "call getPhoneNumber again."), "invalid_phone_data")
        if isinstance(data, str):
            data = json.loads(data)
        phone = data.get("purePhoneNumber") or data.get("phoneNumber")
        if not phone:
            raise MpBadRequest(_("The data holds no phone number."),
                               "invalid_phone_data")
        self.write({"mp_phone": phone, "mobile": phone})
        return phone

    @api.multi
    def _mp_profile(self):
        """The profile as the mini-program sees it (``GET /mp/v1/me``).

        Reads only its own columns: touching one field of a partner would
        fetch every column of this wide table, on every API call.
        """
        self.ensure_one()
        values = self.read(PROFILE_FIELDS)[0]
        return {
            "id": self.id,
            "nickname": values["mp_nickname"] or "",
            "avatar_url": values["mp_avatar_url"] or "",
            "phone": values["mp_phone"] or "",
            "name": values["name"],
            "first_seen": self._mp_iso(values["mp_first_seen"]),
            "last_seen": self._mp_iso(values["mp_last_seen"]),
        }

    @api.multi
    def _mp_add_delivery_address(self, values):
        """A shipping address of this mini-program user: a delivery
        contact of theirs, as Odoo's sales and deliveries use them.

        :param values: ``name``, ``phone``, ``province`` (a Chinese
            province's name; kept in the comment when Odoo does not know
            it), ``city``, ``district`` and ``detail``.
        """
        self.ensure_one()
        state = self.env["res.country.state"].search([
            ("country_id.code", "=", "CN"),
            ("name", "=", values["province"])], limit=1)
        # Adding a contact makes Odoo recompute stored fields across the
        # user's commercial entity, which the API user may not write; the
        # contact is the user's own (its parent is the user), and an
        # address is not a conversation (no chatter).
        return self.sudo().with_context(tracking_disable=True).create({
            "parent_id": self.id, "type": "delivery",
            "name": values["name"], "phone": values["phone"],
            "city": values["city"], "street": values["detail"],
            "street2": values["district"],
            "state_id": state.id or False,
            "country_id": self.env.ref("base.cn").id,
            "comment": values["province"] if not state else False,
        }).with_env(self.env)

    @api.multi
    def _mp_public_name(self):
        """The partner's name as other mini-program users see it: the
        nickname (or name) masked."""
        self.ensure_one()
        return mask_name(self.mp_nickname or self.name)

    @api.model
    def _mp_iso(self, value):
        """ISO 8601 with offset in the company's time zone, or None.

        The API puts the company's time zone in the context (``tz``); other
        callers get the company's own.
        """
        if not value:
            return None
        tz_name = self.env.context.get("tz") \
            or self.env.user.company_id.partner_id.tz or "Asia/Shanghai"
        return fields.Datetime.context_timestamp(
            self.with_context(tz=tz_name),
            fields.Datetime.from_string(value)).isoformat()
