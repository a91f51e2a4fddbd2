# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""WeChat Pay's times are Beijing local times without offset; Odoo keeps
naive UTC. These convert at the boundary."""
import datetime

import pytz

from odoo import fields

from ..money import WECHAT_TZ


def to_beijing(value):
    """Naive UTC datetime -> aware Beijing datetime."""
    return pytz.utc.localize(value).astimezone(pytz.timezone(WECHAT_TZ))


def from_beijing(value, fmt="%Y%m%d%H%M%S"):
    """Beijing text in ``fmt`` -> Odoo's naive UTC string; None if empty."""
    if not value:
        return None
    local = pytz.timezone(WECHAT_TZ).localize(
        datetime.datetime.strptime(value, fmt))
    return fields.Datetime.to_string(local.astimezone(pytz.utc))


def beijing_day_bounds(day):
    """The UTC strings bounding Beijing day ``day`` (a date)."""
    tz = pytz.timezone(WECHAT_TZ)
    start = tz.localize(datetime.datetime.combine(day, datetime.time()))
    end = start + datetime.timedelta(days=1)
    return tuple(fields.Datetime.to_string(
        value.astimezone(pytz.utc).replace(tzinfo=None))
        for value in (start, end))


def beijing_today():
    return datetime.datetime.now(pytz.timezone(WECHAT_TZ)).date()
