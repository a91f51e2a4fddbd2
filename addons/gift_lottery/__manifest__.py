# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Mini-Program Gift Lotteries",
    "summary": "Gifts bought in a WeChat mini-program and shared as a "
               "lottery: timed, full-N and direct-gift draws, verifiable "
               "results, claims shipped as deliveries",
    "version": "11.0.1.0.0",
    "category": "Sales",
    "website": "https://github.com/wechat-miniprogram-pack/odoo-addons",
    "author": "WeChat Mini-Program Pack Authors",
    "license": "LGPL-3",
    "installable": True,
    "depends": [
        "payment_wechatpay",
        "sale",
        "sale_stock",
    ],
    "data": [
        "security/gift_lottery_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/ir_cron_data.xml",
        "views/gift_category_views.xml",
        "views/product_template_views.xml",
        "views/gift_lottery_views.xml",
        "views/gift_lottery_entry_views.xml",
        "views/gift_lottery_prize_views.xml",
        "views/res_config_settings_views.xml",
        "views/gift_lottery_menus.xml",
    ],
    "demo": [
        "demo/mp_subscribe_template_demo.xml",
        "demo/gift_product_demo.xml",
        "demo/gift_lottery_demo.xml",
    ],
}
