# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import res_company
from . import payment_acquirer
from . import payment_transaction
from . import sale_order
from . import account_invoice
from . import res_partner
from . import wechatpay_wallet
from . import wechatpay_wallet_entry
from . import wechatpay_refund
from . import wechatpay_payout
from . import wechatpay_bill
from . import wechatpay_bill_mismatch
