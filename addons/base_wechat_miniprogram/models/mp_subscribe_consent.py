# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class MpSubscribeConsent(models.Model):
    """What a user allowed through ``wx.requestSubscribeMessage``.

    WeChat's one-time subscription lets the app send one message per
    acceptance. The mini-program reports each result; a message is sent only
    while ``remaining`` is positive, and consumes one.
    """

    _name = "mp.subscribe.consent"
    _description = "Subscribe Message Consent"
    _order = "write_date desc"
    _rec_name = "template_id"

    partner_id = fields.Many2one(
        "res.partner", string="User", required=True, ondelete="cascade",
        index=True, readonly=True)
    template_id = fields.Char(
        string="WeChat Template ID", required=True, readonly=True)
    remaining = fields.Integer(readonly=True, default=0)
    banned = fields.Boolean(
        readonly=True,
        help="The user switched this template off for good.")

    _sql_constraints = [
        ("partner_template_unique", "unique(partner_id, template_id)",
         "One consent record per user and template."),
        ("remaining_positive", "check(remaining >= 0)",
         "Remaining consents cannot be negative."),
    ]

    @api.model
    def _report(self, partner, results):
        """Record ``wx.requestSubscribeMessage`` results for ``partner``.

        :param results: ``{template_id: "accept" | "reject" | "ban"}``,
            WeChat's own result object. Counted with an upsert, so two
            reports arriving together both count. Ids that are not active
            templates of the partner's company are ignored.
        """
        company = partner.company_id or self.env.user.company_id
        known = set(self.env["mp.subscribe.template"].search([
            ("company_id", "=", company.id),
            ("template_id", "in", list(results)),
        ]).mapped("template_id"))
        for template_id, result in results.items():
            if result not in ("accept", "ban") or template_id not in known:
                continue
            self.env.cr.execute(
                "INSERT INTO mp_subscribe_consent"
                " (partner_id, template_id, remaining, banned,"
                "  create_uid, write_uid, create_date, write_date)"
                " VALUES (%(partner)s, %(template)s, %(add)s, %(ban)s,"
                "  %(uid)s, %(uid)s, now() at time zone 'UTC',"
                "  now() at time zone 'UTC')"
                " ON CONFLICT (partner_id, template_id) DO UPDATE SET"
                "  remaining = CASE WHEN %(ban)s THEN 0"
                "    ELSE mp_subscribe_consent.remaining + %(add)s END,"
                "  banned = %(ban)s, write_uid = %(uid)s,"
                "  write_date = now() at time zone 'UTC'", {
                    "partner": partner.id, "template": template_id,
                    "add": 1 if result == "accept" else 0,
                    "ban": result == "ban", "uid": self.env.uid,
                })
        self.invalidate_cache()
        return self.search([("partner_id", "=", partner.id)])

    @api.model
    def _lock_available(self, partner, template_id):
        """Lock the user's consent row for a send, if one is left.

        The lock is held until the transaction ends, so two sends for the
        same user and template cannot use the same consent.
        """
        self.env.cr.execute(
            "SELECT id FROM mp_subscribe_consent"
            " WHERE partner_id = %s AND template_id = %s"
            "   AND remaining > 0 AND NOT coalesce(banned, false)"
            " FOR UPDATE", (partner.id, template_id))
        row = self.env.cr.fetchone()
        return self.browse(row[0]) if row else self.browse()

    @api.multi
    def _consume(self):
        """Use one consent of a row locked by :meth:`_lock_available`."""
        self.ensure_one()
        self.env.cr.execute(
            "UPDATE mp_subscribe_consent SET remaining = remaining - 1"
            " WHERE id = %s", (self.id,))
        self.invalidate_cache(["remaining"], self.ids)

    @api.multi
    def _exhaust(self):
        """WeChat says no consent is left (43101): believe it, so that the
        mini-program asks the user again."""
        self.ensure_one()
        self.env.cr.execute(
            "UPDATE mp_subscribe_consent SET remaining = 0 WHERE id = %s",
            (self.id,))
        self.invalidate_cache(["remaining"], self.ids)
