# Run through "scripts/odoo shell": gives the main company of a demo or test
# database the pack's defaults (China, CNY, Asia/Shanghai) and, once the
# pack is installed, a Chinese-speaking staff user. Idempotent: scripts/run
# and scripts/test call it before and after installing the addons.
# pylint: disable=undefined-variable
company = env.ref("base.main_company")  # noqa: F821
cny = env.ref("base.CNY")  # noqa: F821
cny.active = True
values = {"country_id": env.ref("base.cn").id}  # noqa: F821
if "chart_template_id" not in company or not company.chart_template_id:
    values["currency_id"] = cny.id  # only before any journal item exists
company.write(values)
company.partner_id.tz = "Asia/Shanghai"
# English beside Chinese: a database created with --load-language=zh_CN
# leaves English inactive, and every user Chinese.
env["res.lang"].with_context(active_test=False).search(  # noqa: F821
    [("code", "=", "en_US")]).write({"active": True})
admin = env.ref("base.user_root")  # noqa: F821
admin.write({"tz": "Asia/Shanghai", "lang": "en_US"})
manager = env.ref("base_wechat_miniprogram.group_mp_manager",  # noqa: F821
                  raise_if_not_found=False)
if manager:
    staff = env["res.users"].search([("login", "=", "staff")])  # noqa: F821
    if not staff:
        staff = env["res.users"].create({  # noqa: F821
            "name": "运营小李",
            "login": "staff",
            "email": "staff@example.com",
            "password": "staff",
            "lang": "zh_CN",
            "tz": "Asia/Shanghai",
        })
    staff.groups_id |= manager | env.ref("base.group_user")  # noqa: F821
    # Chatter messages (refunds, payouts) need their author's address.
    staff.email = staff.email or "staff@example.com"
billing = env.ref("account.group_account_invoice",  # noqa: F821
                  raise_if_not_found=False)
if billing:
    # The accountant refunds from invoices and follows WeChat's money.
    accountant = env["res.users"].search(  # noqa: F821
        [("login", "=", "accountant")])
    if not accountant:
        accountant = env["res.users"].create({  # noqa: F821
            "name": "会计小王",
            "login": "accountant",
            "email": "accountant@example.com",
            "password": "accountant",
            "lang": "zh_CN",
            "tz": "Asia/Shanghai",
        })
    accountant.groups_id |= billing | env.ref(  # noqa: F821
        "base_wechat_miniprogram.group_mp_user")
    accountant.email = accountant.email or "accountant@example.com"
env.cr.commit()  # noqa: F821
