# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Mini-Program Events",
    "summary": "Activity sign-up and payment for a WeChat mini-program: "
               "custom forms, capacity, approval, WeChat Pay, refunds by "
               "policy, check-in, waitlist and reviews",
    "version": "11.0.1.0.0",
    "category": "Marketing",
    "website": "https://github.com/wechat-miniprogram-pack/odoo-addons",
    "author": "WeChat Mini-Program Pack Authors",
    "license": "LGPL-3",
    "installable": True,
    "depends": [
        "payment_wechatpay",
        "event_sale",
        "event_registration_cancel_reason",
    ],
    "data": [
        "security/event_miniprogram_security.xml",
        "security/ir.model.access.csv",
        "data/product_data.xml",
        "data/event_registration_cancel_reason_data.xml",
        "data/ir_cron_data.xml",
        "wizards/event_mp_decision_wizard_views.xml",
        "wizards/event_mp_checkin_wizard_views.xml",
        "wizards/event_mp_register_wizard_views.xml",
        "views/event_mp_review_views.xml",
        "views/event_mp_waitlist_views.xml",
        "views/event_registration_views.xml",
        "views/event_event_views.xml",
        "views/event_miniprogram_menus.xml",
    ],
    "demo": [
        "demo/mp_subscribe_template_demo.xml",
        "demo/event_event_demo.xml",
    ],
}
