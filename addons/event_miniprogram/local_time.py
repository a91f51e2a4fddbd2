# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Business days in the company's time zone (DESIGN.md s. 4), where Odoo
keeps naive UTC."""
import datetime

import pytz

from odoo import fields

DEFAULT_TZ = "Asia/Shanghai"


def company_tz(company):
    """The company's zone; the API puts it in the context already (see
    base_wechat_miniprogram), which spares reading the company's
    partner."""
    return pytz.timezone(company.env.context.get("tz") or
                         company.partner_id.tz or DEFAULT_TZ)


def local_today(company):
    return datetime.datetime.now(company_tz(company)).date()


def local_day(company, value):
    """The company-local date of naive UTC ``value`` (string or datetime)."""
    if isinstance(value, str):
        value = fields.Datetime.from_string(value)
    return pytz.utc.localize(value).astimezone(company_tz(company)).date()


def day_bounds(company, first_day, last_day=None):
    """Naive UTC strings bounding the local days ``first_day`` to
    ``last_day`` (inclusive)."""
    tz = company_tz(company)
    last_day = last_day or first_day
    start = tz.localize(datetime.datetime.combine(first_day, datetime.time()))
    end = tz.localize(datetime.datetime.combine(
        last_day + datetime.timedelta(days=1), datetime.time()))
    return tuple(fields.Datetime.to_string(
        value.astimezone(pytz.utc).replace(tzinfo=None))
        for value in (start, end))


def month_bounds(company, day):
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return day_bounds(company, first, following - datetime.timedelta(days=1))
