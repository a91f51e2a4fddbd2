# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_payment
from . import test_refund
from . import test_wallet_payout
from . import test_bill
