# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, api


def post_init_hook(cr, registry):
    """Create the WeChat Pay and customer wallet journals.

    Odoo creates an acquirer's journal only once the company has a chart
    of accounts; the chart wizard calls the same method for companies
    that get one later.
    """
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["payment.acquirer"]._create_missing_journal_for_acquirers()
