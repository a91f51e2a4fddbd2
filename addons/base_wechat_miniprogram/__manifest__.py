# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "WeChat Mini-Program Base",
    "summary": "Mini-program login, bearer-token JSON API, WeChat access "
               "tokens and subscribe messages",
    "version": "11.0.1.0.0",
    "category": "Mini Program",
    "website": "https://github.com/wechat-miniprogram-pack/odoo-addons",
    "author": "WeChat Mini-Program Pack Authors",
    "license": "LGPL-3",
    "application": True,
    "installable": True,
    "depends": [
        "base_setup",
        "mail",
        "base_rest",
        "queue_job",
        "server_environment",
    ],
    "external_dependencies": {
        "python": ["wechatpy", "cerberus", "requests", "cryptography",
                   "pyquerystring"],
    },
    "data": [
        "security/base_wechat_miniprogram_security.xml",
        "security/ir.model.access.csv",
        "data/res_users_data.xml",
        "data/res_users_api_email.xml",
        "data/queue_job_channel_data.xml",
        "data/ir_cron_data.xml",
        "views/base_wechat_miniprogram_menus.xml",
        "views/res_partner_views.xml",
        "views/mp_api_token_views.xml",
        "views/mp_subscribe_template_views.xml",
        "views/mp_subscribe_consent_views.xml",
        "views/mp_subscribe_message_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "demo": [
        "demo/res_company_demo.xml",
        "demo/mp_subscribe_template_demo.xml",
        "demo/res_partner_demo.xml",
    ],
}
