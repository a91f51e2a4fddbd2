# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Separate OS processes, as Odoo workers on several machines, share one
WeChat access token: exactly one of them fetches it."""
import concurrent.futures

from conftest import run_in_odoo

APP_ID = "wxd0000000000demo"
GET_TOKEN = """
company = env.ref('base.main_company')
print(company._mp_client().access_token)
"""


def test_processes_share_one_access_token(sim, company_on_simulator):
    run_in_odoo("env['mp.wechat.session'].search([]).unlink();"
                " env.cr.commit()")
    sim("POST", "reset")
    # WeChat answers slowly: every process asks while the first waits.
    sim("POST", "faults", endpoint="token", delay=2, count=4)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        tokens = list(pool.map(lambda _i: run_in_odoo(GET_TOKEN).strip(),
                               range(4)))
    assert len(set(tokens)) == 1, tokens
    assert len(tokens[0]) > 20
    assert sim("GET", "stats")["tokens_issued"][APP_ID] == 1
    # A later process reuses the stored token without asking WeChat.
    assert run_in_odoo(GET_TOKEN).strip() == tokens[0]
    assert sim("GET", "stats")["tokens_issued"][APP_ID] == 1
