# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.base_wechat_miniprogram.exceptions import MpConflict

MAX_PHOTOS = 9


class EventMpReview(models.Model):
    """An attendee's review of an activity: once per sign-up, only after
    checking in. Staff hide a review rather than delete it."""

    _name = "event.mp.review"
    _description = "Activity Review"
    _order = "create_date desc, id desc"

    event_id = fields.Many2one(
        "event.event", string="Activity", required=True, index=True,
        ondelete="cascade", readonly=True)
    registration_id = fields.Many2one(
        "event.registration", string="Sign-up", required=True,
        ondelete="cascade", readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Reviewer", required=True, readonly=True)
    rating = fields.Integer(required=True, readonly=True)
    text = fields.Text(readonly=True)
    photo_urls = fields.Text(
        string="Photos", readonly=True, help="Photo addresses, one per line.")
    hidden = fields.Boolean(
        help="Hidden reviews are not shown in the mini-program nor counted "
             "in the average.")

    _sql_constraints = [
        ("registration_uniq", "unique(registration_id)",
         "A sign-up can be reviewed once."),
        ("rating_range", "CHECK(rating BETWEEN 1 AND 5)",
         "A rating is 1 to 5 stars."),
    ]

    @api.model
    def _mp_post(self, registration, rating, text, photos):
        """The review of ``registration`` by its attendee (409 when it
        cannot be reviewed, or was already)."""
        if registration.mp_stage != "attended":
            raise MpConflict(_("Only attendees who checked in can review."),
                             "not_attended")
        # The sign-up row serialises two reviews sent at once.
        registration._mp_lock()
        if self.search_count([("registration_id", "=", registration.id)]):
            raise MpConflict(_("You have already reviewed this activity."),
                             "already_reviewed")
        if len(photos) > MAX_PHOTOS:
            raise ValidationError(_("At most %d photos.") % MAX_PHOTOS)
        return self.create({
            "event_id": registration.event_id.id,
            "registration_id": registration.id,
            "partner_id": registration.partner_id.id,
            "rating": rating,
            "text": text or False,
            "photo_urls": "\n".join(photos) or False,
        })

    @api.multi
    def action_toggle_hidden(self):
        for review in self:
            review.hidden = not review.hidden
        return True

    @api.multi
    def _mp_json(self):
        self.ensure_one()
        return {
            "id": self.id,
            "name": self.partner_id._mp_public_name(),
            "avatar_url": self.partner_id.mp_avatar_url or "",
            "rating": self.rating,
            "text": self.text or "",
            "photos": (self.photo_urls or "").split("\n")
            if self.photo_urls else [],
            "created_at": self.partner_id._mp_iso(self.create_date),
        }
