# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Mini-Program Clock-in Pools",
    "summary": "Daily early-rise clock-in pools (早起打卡瓜分): stakes paid "
               "by WeChat Pay or wallet, clock-in windows, the missed "
               "stakes split among those who made it, red envelopes",
    "version": "11.0.1.0.0",
    "category": "Sales",
    "website": "https://github.com/wechat-miniprogram-pack/odoo-addons",
    "author": "WeChat Mini-Program Pack Authors",
    "license": "LGPL-3",
    "installable": True,
    "depends": [
        "payment_wechatpay",
        "sale",
    ],
    "data": [
        "security/clockin_pool_security.xml",
        "security/ir.model.access.csv",
        "data/product_data.xml",
        "data/ir_cron_data.xml",
        "views/clockin_round_views.xml",
        "views/clockin_entry_views.xml",
        "views/clockin_attempt_views.xml",
        "views/clockin_allocation_views.xml",
        "views/res_config_settings_views.xml",
        "views/clockin_pool_menus.xml",
    ],
    "demo": [
        "demo/mp_subscribe_template_demo.xml",
        "demo/clockin_round_demo.xml",
    ],
}
