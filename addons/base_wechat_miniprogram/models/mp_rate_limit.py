# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import _, api, fields, models

from ..exceptions import MpTooManyRequests
from ..tools import run_in_new_transaction


class MpRateLimit(models.Model):
    """Per-minute call counters of the mini-program API.

    One row per caller key and minute, counted with an atomic upsert so that
    every worker on every server shares the count without a read-modify-write
    race. Old windows are deleted by a cron.
    """

    _name = "mp.rate.limit"
    _description = "Mini-Program API Rate Counter"
    _log_access = False

    key = fields.Char(required=True, index=True)
    window_start = fields.Datetime(required=True, index=True)
    hits = fields.Integer(required=True, default=0)

    _sql_constraints = [
        ("key_window_unique", "unique(key, window_start)",
         "One counter per key and window."),
    ]

    @api.model
    def _hit(self, key, limit):
        """Count one call of ``key``; 429 when over ``limit`` a minute."""
        if not limit or limit <= 0:
            return
        # Counted on a cursor of its own: a call that fails (and rolls its
        # transaction back) must still count, or failures would be free.
        hits = run_in_new_transaction(
            self.pool, lambda cr: self._count(cr, key))
        if hits > limit:
            raise MpTooManyRequests(
                _("Too many requests: at most %d a minute. "
                  "Try again shortly.") % limit)

    @api.model
    def _count(self, cr, key):
        # A counter lost in a crash costs nothing: do not wait for the disk
        # (one round trip for both statements).
        cr.execute(
            "SET LOCAL synchronous_commit TO OFF;"
            " INSERT INTO mp_rate_limit (key, window_start, hits)"
            " VALUES (%s, date_trunc('minute', now() at time zone 'UTC'), 1)"
            " ON CONFLICT (key, window_start)"
            " DO UPDATE SET hits = mp_rate_limit.hits + 1"
            " RETURNING hits", (key,))
        return cr.fetchone()[0]

    @api.model
    def _cron_purge(self):
        """Drop counters of past windows (bounded by their age)."""
        before = datetime.datetime.utcnow() - datetime.timedelta(minutes=5)
        self.env.cr.execute(
            "DELETE FROM mp_rate_limit WHERE window_start < %s",
            (fields.Datetime.to_string(before),))
        return self.env.cr.rowcount
