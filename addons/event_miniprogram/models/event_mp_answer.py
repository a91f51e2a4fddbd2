# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class EventMpAnswer(models.Model):
    """One answer of a sign-up to a form field.

    Kept with a copy of the label, so that an answer still reads right
    after staff rename or remove the question.
    """

    _name = "event.mp.answer"
    _description = "Sign-up Form Answer"
    _order = "registration_id, sequence, id"

    registration_id = fields.Many2one(
        "event.registration", string="Sign-up", required=True,
        ondelete="cascade", index=True)
    field_id = fields.Many2one(
        "event.mp.form.field", string="Question", ondelete="set null")
    sequence = fields.Integer()
    label = fields.Char(required=True)
    kind = fields.Char()
    value = fields.Text(string="Answer")
