# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MpSubscribeTemplate(models.Model):
    """Which WeChat subscribe-message template a business event uses.

    Business addons send by event code (``event_registration_confirmed``,
    ``auction_outbid``...); each company maps the codes to the template ids
    it was granted in the WeChat console.
    """

    _name = "mp.subscribe.template"
    _description = "Subscribe Message Template"
    _order = "event_code"

    name = fields.Char(string="Description", required=True, translate=True)
    event_code = fields.Char(
        string="Business Event", required=True, index=True,
        help="Code the addons send with, e.g. event_registration_confirmed.")
    template_id = fields.Char(
        string="WeChat Template ID", required=True,
        help="The template id from the WeChat console.")
    page = fields.Char(
        string="Default Page",
        help="Mini-program page opened from the message.")
    company_id = fields.Many2one(
        "res.company", required=True,
        default=lambda self: self.env.user.company_id)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("event_company_unique", "unique(event_code, company_id)",
         "A business event has one template per company."),
    ]
