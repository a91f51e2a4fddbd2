# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fen and yuan.

Money is integer fen everywhere we decide something (WeChat speaks fen);
Odoo's accounting holds yuan with two decimals, so conversions happen only
at the boundary with account documents, through these two functions.
"""
from odoo.tools import float_round

#: WeChat's day (bills, daily caps) is Beijing time, whatever the server's.
WECHAT_TZ = "Asia/Shanghai"


def fen_to_yuan(fen):
    """``123`` -> ``1.23`` (exact to the cent once rounded by Odoo)."""
    return float_round(fen / 100.0, precision_digits=2)


def yuan_to_fen(amount):
    """``1.23`` -> ``123``; rounds half-up at the fen."""
    return int(float_round(amount * 100.0, precision_digits=0))


def format_fen(fen):
    """``12345`` -> ``'123.45'``, for messages."""
    return "%d.%02d" % divmod(fen, 100) if fen >= 0 else \
        "-" + format_fen(-fen)
