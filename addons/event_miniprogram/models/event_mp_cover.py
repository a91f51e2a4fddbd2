# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

#: Where the mini-program loads a cover from (public, see the class).
URL = "/web/image/event.mp.cover/%d/image"


class EventMpCover(models.Model):
    """A cover image of an activity, in carousel order.

    Public users may read the covers of published activities (a record
    rule), so the mini-program loads them from ``/web/image`` without a
    token.
    """

    _name = "event.mp.cover"
    _description = "Activity Cover Image"
    _order = "sequence, id"

    event_id = fields.Many2one(
        "event.event", string="Activity", required=True, ondelete="cascade",
        index=True)
    sequence = fields.Integer(default=10)
    image = fields.Binary(required=True, attachment=True)
    event_published = fields.Boolean(
        related="event_id.mp_published", store=True, readonly=True)

    def _mp_url(self):
        return URL % self.id
