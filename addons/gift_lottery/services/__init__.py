# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import gift_service
from . import lottery_service
from . import share_service
from . import prize_service
