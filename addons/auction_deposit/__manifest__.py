# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Mini-Program Auctions",
    "summary": "Auction sessions and lots for a WeChat mini-program: "
               "deposits, bidding with increments, proxies and soft "
               "close, winners' orders",
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
        "security/auction_deposit_security.xml",
        "security/ir.model.access.csv",
        "data/product_data.xml",
        "data/auction_increment_data.xml",
        "data/ir_cron_data.xml",
        "views/auction_lot_views.xml",
        "views/auction_session_views.xml",
        "views/auction_bid_views.xml",
        "views/auction_deposit_views.xml",
        "views/auction_coupon_views.xml",
        "views/sale_order_views.xml",
        "views/auction_deposit_menus.xml",
    ],
    "demo": [
        "demo/mp_subscribe_template_demo.xml",
        "demo/auction_session_demo.xml",
    ],
}
