# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import gift_category
from . import product_template
from . import res_company
from . import res_config_settings
from . import gift_lottery
from . import gift_lottery_entry
from . import gift_lottery_prize
from . import sale_order
from . import sale_order_line
