# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
ID_RE = re.compile(r"^\d{17}[\dXx]$")
#: Weights of the first 17 digits of a mainland resident ID (GB 11643).
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
MAX_TEXT = 500


def valid_resident_id(value):
    """An 18-character resident ID with a correct check character."""
    if not ID_RE.match(value):
        return False
    total = sum(int(digit) * weight
                for digit, weight in zip(value[:17], ID_WEIGHTS))
    return ID_CHECK[total % 11] == value[17].upper()


class EventMpFormField(models.Model):
    """A question of an activity's sign-up form.

    The mini-program draws the form from these rows and sends the answers
    back keyed by the field's id; ``_mp_clean`` checks one answer the same
    way whatever client sent it.
    """

    _name = "event.mp.form.field"
    _description = "Sign-up Form Field"
    _order = "sequence, id"

    event_id = fields.Many2one(
        "event.event", string="Activity", required=True, ondelete="cascade",
        index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Label", required=True, translate=True)
    kind = fields.Selection([
        ("text", "Text"),
        ("number", "Number"),
        ("phone", "Mobile Phone"),
        ("id_number", "ID Number"),
        ("single", "Single Choice"),
        ("multiple", "Multiple Choice"),
        ("date", "Date"),
    ], string="Type", required=True, default="text")
    required = fields.Boolean(default=True)
    options = fields.Text(
        help="The choices of a single or multiple choice field, one per "
             "line.")
    help_text = fields.Char(string="Hint", translate=True)

    @api.constrains("kind", "options")
    def _check_options(self):
        for field in self:
            if field.kind in ("single", "multiple") and \
                    not field._option_list():
                raise ValidationError(
                    _("The choice field %s needs at least one option.")
                    % field.name)

    @api.multi
    def _option_list(self):
        self.ensure_one()
        return [line.strip() for line in (self.options or "").splitlines()
                if line.strip()]

    @api.multi
    def _mp_json(self):
        return [{
            "id": field.id,
            "label": field.name,
            "kind": field.kind,
            "required": field.required,
            "options": field._option_list(),
            "hint": field.help_text or "",
        } for field in self]

    @api.multi
    def _mp_clean(self, value):
        """The stored text of answer ``value``, or raise ValueError with
        the reason; '' for an empty optional answer."""
        self.ensure_one()
        if value in (None, "", []):
            if self.required:
                raise ValueError(_("This field is required."))
            return ""
        if self.kind == "multiple":
            return self._clean_multiple(value)
        if isinstance(value, bool) or not isinstance(
                value, (str, int, float)):
            raise ValueError(_("This answer has the wrong type."))
        text = str(value).strip()
        if len(text) > MAX_TEXT:
            raise ValueError(_("At most %d characters.") % MAX_TEXT)
        if not text and self.required:
            raise ValueError(_("This field is required."))
        check = getattr(self, "_validate_%s" % self.kind, None)
        if text and check:
            check(text)
        return text

    def _clean_multiple(self, value):
        if not isinstance(value, list) or \
                not all(isinstance(item, str) for item in value) or \
                set(value) - set(self._option_list()) or \
                len(set(value)) != len(value):
            raise ValueError(_("Choose from the list."))
        return "\n".join(value)

    @staticmethod
    def _validate_number(text):
        try:
            float(text)
        except ValueError:
            raise ValueError(_("Enter a number."))

    @staticmethod
    def _validate_phone(text):
        if not PHONE_RE.match(text):
            raise ValueError(_("Enter an 11-digit mobile number."))

    @staticmethod
    def _validate_id_number(text):
        if not valid_resident_id(text):
            raise ValueError(_("Enter a valid 18-character ID number."))

    def _validate_single(self, text):
        if text not in self._option_list():
            raise ValueError(_("Choose from the list."))

    @staticmethod
    def _validate_date(text):
        try:
            datetime.datetime.strptime(text, "%Y-%m-%d")
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD."))
