# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import collections
import datetime
import hashlib
import logging
import secrets

import requests

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.http import request

from ..exceptions import MpServiceUnavailable, MpUnauthorized
from ..tools import run_in_new_transaction
from ..wechat.client import WeChatClientException, describe_error

_logger = logging.getLogger(__name__)

#: jscode2session errors meaning the code is bad, not that WeChat is down:
#: 40029 invalid code, 40163 code used, 40226 user blocked for risk.
INVALID_CODE_ERRORS = {40029, 40163, 40226}

#: Expired or revoked tokens are kept this long for the audit trail.
PURGE_AFTER_DAYS = 30
#: Rows the purge cron deletes per transaction, and transactions a run.
PURGE_BATCH = 5000
PURGE_MAX_BATCHES = 20


#: The only fields of a token that change after its creation.
MUTABLE_FIELDS = {"revoked_at", "last_used_at"}
#: Time zone of a company whose partner has none.
DEFAULT_TZ = "Asia/Shanghai"

#: What authenticating a call yields: ids, not records, to keep the hot
#: path free of ORM reads.
TokenIdentity = collections.namedtuple(
    "TokenIdentity", "token_id partner_id rate_limit tz")


def hash_token(raw):
    """Tokens are 256-bit random strings: a plain SHA-256 is enough."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class MpApiToken(models.Model):
    """A bearer token of the mini-program API, stored hashed.

    The raw token is shown once, to the client that logged in. The WeChat
    session key of that login stays here, readable only by the API user and
    administrators: it decrypts ``getPhoneNumber`` data and never leaves
    the server.
    """

    _name = "mp.api.token"
    _description = "Mini-Program API Token"
    _order = "create_date desc, id desc"
    _rec_name = "token_prefix"

    partner_id = fields.Many2one(
        "res.partner", string="User", required=True, ondelete="cascade",
        index=True, readonly=True)
    company_id = fields.Many2one(
        "res.company", string="Company", required=True, readonly=True)
    token_hash = fields.Char(required=True, readonly=True, copy=False)
    token_prefix = fields.Char(
        string="Token", readonly=True,
        help="First characters of the token, to recognise it in logs.")
    session_key = fields.Char(
        readonly=True, copy=False,
        groups="base.group_system,"
               "base_wechat_miniprogram.group_mp_api")
    expires_at = fields.Datetime(string="Expires", required=True,
                                 readonly=True, index=True)
    revoked_at = fields.Datetime(string="Revoked", readonly=True,
                                 index=True)
    last_used_at = fields.Datetime(string="Last Used", readonly=True)
    state = fields.Selection([
        ("active", "Active"),
        ("expired", "Expired"),
        ("revoked", "Revoked"),
    ], compute="_compute_state", search="_search_state")

    _sql_constraints = [
        ("token_hash_unique", "unique(token_hash)",
         "Token hashes are unique."),
    ]

    @api.depends("expires_at", "revoked_at")
    def _compute_state(self):
        now = fields.Datetime.now()
        for token in self:
            if token.revoked_at:
                token.state = "revoked"
            elif token.expires_at <= now:
                token.state = "expired"
            else:
                token.state = "active"

    def _search_state(self, operator, value):
        now = fields.Datetime.now()
        domains = {
            "active": [("revoked_at", "=", False), ("expires_at", ">", now)],
            "expired": [("revoked_at", "=", False), ("expires_at", "<=", now)],
            "revoked": [("revoked_at", "!=", False)],
        }
        if operator not in ("=", "!=") or value not in domains:
            return []
        # Normalized: the domain replaces one leaf of the caller's domain.
        domain = expression.normalize_domain(domains[value])
        return domain if operator == "=" else ["!"] + domain

    @api.model
    def _issue(self, partner, session_key):
        """Create a token for ``partner``; returns the raw token."""
        raw = secrets.token_urlsafe(32)
        company = partner.company_id or self.env.user.company_id
        lifetime = company.mp_token_lifetime_hours or 168
        token = self.create({
            "partner_id": partner.id,
            "company_id": company.id,
            "token_hash": hash_token(raw),
            "token_prefix": raw[:6],
            "session_key": session_key,
            "expires_at": fields.Datetime.to_string(
                datetime.datetime.utcnow()
                + datetime.timedelta(hours=lifetime)),
        })
        return raw, token

    @api.model
    def _login(self, company, code):
        """Exchange a ``wx.login`` code: ``(raw token, token, created)``.

        Calls WeChat's ``jscode2session``, finds or creates the partner and
        issues a token holding the session key.
        """
        try:
            wx_session = self._code_to_session(company, code)
        except (WeChatClientException, requests.RequestException) as err:
            if getattr(err, "errcode", None) in INVALID_CODE_ERRORS:
                raise MpUnauthorized(
                    _("The login code is invalid or was already used; "
                      "call wx.login again."), "invalid_code")
            _logger.warning("jscode2session failed: %s", describe_error(err))
            raise MpServiceUnavailable(
                _("WeChat login is unavailable; please try again."))
        partner, created = self.env["res.partner"]._mp_find_or_create(
            company, company._mp_config()["app_id"], wx_session)
        raw, token = self._issue(partner, wx_session["session_key"])
        return raw, token, created

    @api.model
    def _code_to_session(self, company, code):
        """``jscode2session``, once per code and HTTP request.

        Odoo runs a request again after a serialization failure; the retry
        must reuse WeChat's answer, since the code is single-use and asking
        again gets "code been used". The memo lives on the request only: a
        later request with the same code is refused, as WeChat would.
        """
        memo = {}
        if request:
            memo = request.__dict__.setdefault("mp_code_sessions", {})
        if code not in memo:
            memo[code] = company._mp_client().code_to_session(code)
        return dict(memo[code])

    @api.model
    def _authenticate(self, raw):
        """Check a raw bearer token: a :class:`TokenIdentity`, or 401.

        One indexed SQL read on the hot path of every API call, which also
        brings what the call needs next (the company's rate limit and time
        zone); the last-use time is written at most once a minute.
        """
        if not raw:
            raise MpUnauthorized(_("Log in first: the Authorization header "
                                   "must carry a bearer token."))
        self.env.cr.execute(
            "SELECT t.id, t.partner_id, c.mp_rate_limit, p.tz,"
            "       t.expires_at > now() at time zone 'UTC',"
            "       t.revoked_at IS NOT NULL OR NOT u.active,"
            "       coalesce(t.last_used_at, t.create_date)"
            "           < now() at time zone 'UTC' - interval '1 minute'"
            "  FROM mp_api_token t"
            "  JOIN res_company c ON c.id = t.company_id"
            "  JOIN res_partner p ON p.id = c.partner_id"
            "  JOIN res_partner u ON u.id = t.partner_id"
            " WHERE t.token_hash = %s", (hash_token(raw),))
        row = self.env.cr.fetchone()
        if not row:
            raise MpUnauthorized(_("The token is not valid; log in again."),
                                 "invalid_token")
        token_id, partner_id, rate_limit, tz, live, revoked, stale = row
        if revoked:
            raise MpUnauthorized(_("The token was revoked; log in again."),
                                 "token_revoked")
        if not live:
            raise MpUnauthorized(_("The token has expired; log in again."),
                                 "token_expired")
        if stale:
            run_in_new_transaction(
                self.pool, lambda cr: self._touch(cr, token_id, partner_id))
        return TokenIdentity(token_id, partner_id, rate_limit,
                             tz or DEFAULT_TZ)

    @staticmethod
    def _touch(cr, token_id, partner_id):
        """Record the use of a token (in its own short transaction, so that
        concurrent calls of one user never conflict on these rows)."""
        cr.execute(
            "UPDATE mp_api_token SET last_used_at = now() at time zone 'UTC'"
            " WHERE id = %s AND coalesce(last_used_at, create_date)"
            "   < now() at time zone 'UTC' - interval '1 minute'",
            (token_id,))
        if cr.rowcount:
            cr.execute(
                "UPDATE res_partner SET mp_last_seen = now() at time zone"
                " 'UTC' WHERE id = %s", (partner_id,))

    @api.multi
    def write(self, vals):
        """A token is immutable but for its revocation and use time.

        Staff may revoke tokens; were they able to change a hash or an
        owner, they could act as any mini-program user.
        """
        if set(vals) - MUTABLE_FIELDS:
            raise UserError(_("API tokens cannot be changed, only revoked."))
        return super(MpApiToken, self).write(vals)

    @api.multi
    def action_revoke(self):
        """Revoke: the next call with these tokens gets 401."""
        self.filtered(lambda t: not t.revoked_at).write(
            {"revoked_at": fields.Datetime.now()})
        return True

    @api.model
    def _cron_purge(self, max_batches=PURGE_MAX_BATCHES):
        """Delete tokens expired or revoked long ago.

        Batches of ``PURGE_BATCH``, each committed, at most
        ``max_batches`` a run: a backlog shrinks run after run without
        one long transaction.
        """
        limit = fields.Datetime.to_string(
            datetime.datetime.utcnow()
            - datetime.timedelta(days=PURGE_AFTER_DAYS))
        purged = 0
        for _batch in range(max_batches):
            old = self.search([
                "|", ("expires_at", "<", limit), ("revoked_at", "<", limit),
            ], limit=PURGE_BATCH)
            old.unlink()
            purged += len(old)
            if len(old) < PURGE_BATCH:
                break
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return purged
