# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "WeChat Pay",
    "summary": "WeChat Pay (API v2, JSAPI) acquirer with refunds, payouts, "
               "a customer wallet, bill reconciliation and the accounting "
               "behind them",
    "version": "11.0.1.0.0",
    "category": "Accounting",
    "website": "https://github.com/wechat-miniprogram-pack/odoo-addons",
    "author": "WeChat Mini-Program Pack Authors",
    "license": "LGPL-3",
    "installable": True,
    "depends": [
        "base_wechat_miniprogram",
        "payment",
        "sale_payment",
        "account_invoicing",
    ],
    "external_dependencies": {
        "python": ["wechatpy", "requests", "pytz", "xmltodict"],
    },
    "data": [
        "security/payment_wechatpay_security.xml",
        "security/ir.model.access.csv",
        "data/payment_acquirer_data.xml",
        "data/ir_cron_data.xml",
        "data/queue_job_channel_data.xml",
        "wizards/wechatpay_refund_wizard_views.xml",
        "views/payment_acquirer_views.xml",
        "views/payment_transaction_views.xml",
        "views/wechatpay_refund_views.xml",
        "views/wechatpay_payout_views.xml",
        "views/wechatpay_wallet_views.xml",
        "views/wechatpay_bill_views.xml",
        "views/account_invoice_views.xml",
        "views/res_partner_views.xml",
        "views/payment_wechatpay_menus.xml",
    ],
    "demo": [
        "demo/payment_acquirer_demo.xml",
    ],
    "post_init_hook": "post_init_hook",
}
