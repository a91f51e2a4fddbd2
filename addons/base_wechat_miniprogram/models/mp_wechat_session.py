# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MpWechatSession(models.Model):
    """Rows of the database session storage for wechatpy (access tokens).

    Read and written with SQL by ``wechat.session_storage``, outside the
    ORM transaction of the caller; the model exists to own the table.
    """

    _name = "mp.wechat.session"
    _description = "WeChat Session Storage"
    _log_access = False
    _rec_name = "key"

    key = fields.Char(required=True, readonly=True)
    value = fields.Char(readonly=True)
    expires_at = fields.Datetime(readonly=True)

    _sql_constraints = [
        ("key_unique", "unique(key)", "One value per key."),
    ]
