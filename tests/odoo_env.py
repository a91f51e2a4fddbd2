# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Run a snippet of Python with an Odoo ``env`` on a database.

Usage: python tests/odoo_env.py DB CODE. The snippet sees ``env``
(superuser) and ``odoo``; what it prints is the result. Tests use it to
act as a separate OS process, as a second Odoo worker would.
"""
import os
import sys

import odoo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(db, code):
    odoo.tools.config.parse_config([
        "-c", os.path.join(ROOT, "config", "test.conf"), "-d", db,
        "--addons-path=%s" % os.environ["MP_ADDONS_PATH"],
        "--log-level=warn"])
    registry = odoo.registry(db)
    with odoo.api.Environment.manage(), registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        exec(code, {"env": env, "odoo": odoo})  # pylint: disable=exec-used


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
