# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A wechatpy session storage kept in PostgreSQL.

WeChat invalidates older access tokens a while after a new one is issued and
caps how many can be fetched a day, so every Odoo worker on every machine must
share one token per app. The storage keeps it in the ``mp_wechat_session``
table, with its own expiry, and offers ``locked()`` so that exactly one
process fetches a new token while the others wait for it.

It works on its own cursors and commits at once: a token fetched during a
request that later rolls back is still valid and must not be lost.
"""
import contextlib
import datetime
import logging

import psycopg2.extensions

import odoo

from ..tools import TRANSACTION_ATTEMPTS

_logger = logging.getLogger(__name__)

try:
    from wechatpy.session import SessionStorage
except ImportError as err:  # pragma: no cover
    _logger.debug(err)
    SessionStorage = object


class SessionSlot(object):
    """The locked row of one key: read ``value``, assign ``value``/``ttl``."""

    def __init__(self, value):
        self.value = value
        self.ttl = None
        self.changed = False

    def store(self, value, ttl):
        self.value = value
        self.ttl = ttl
        self.changed = True


class DatabaseSessionStorage(SessionStorage):
    """wechatpy ``SessionStorage`` backed by the ``mp_wechat_session`` table.

    :param dbname: the Odoo database holding the table
    :param prefix: namespaces keys, for example per company
    """

    def __init__(self, dbname, prefix="wechat"):
        self.dbname = dbname
        self.prefix = prefix

    def _key(self, key):
        return "%s:%s" % (self.prefix, key)

    @contextlib.contextmanager
    def _cursor(self):
        with odoo.registry(self.dbname).cursor() as cr:
            yield cr

    def get(self, key, default=None):
        with self._cursor() as cr:
            cr.execute(
                "SELECT value FROM mp_wechat_session"
                " WHERE key = %s AND expires_at > (now() at time zone 'UTC')",
                (self._key(key),))
            row = cr.fetchone()
        return row[0] if row else default

    def set(self, key, value, ttl=None):
        with self._cursor() as cr:
            self._write(cr, self._key(key), value, ttl)

    def delete(self, key):
        with self._cursor() as cr:
            cr.execute("DELETE FROM mp_wechat_session WHERE key = %s",
                       (self._key(key),))

    @staticmethod
    def _write(cr, key, value, ttl):
        expires_at = datetime.datetime.utcnow() + datetime.timedelta(
            seconds=ttl or 7200)
        cr.execute(
            "INSERT INTO mp_wechat_session (key, value, expires_at)"
            " VALUES (%s, %s, %s)"
            " ON CONFLICT (key) DO UPDATE"
            " SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at",
            (key, value, expires_at))

    @contextlib.contextmanager
    def locked(self, key):
        """Hold the row of ``key`` locked (``SELECT ... FOR UPDATE``).

        Yields a :class:`SessionSlot` with the current unexpired value (or
        ``None``); what the caller stores in it is written under the same
        lock and committed when the block ends. Other processes asking for
        the same key wait until then, and see the new value.

        Odoo's transactions are REPEATABLE READ: a process that waited for
        the lock gets a serialization failure once the holder commits. It
        then starts a new transaction, which sees the holder's value.
        """
        full_key = self._key(key)
        for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
            with self._cursor() as cr:
                try:
                    value = self._lock_row(cr, full_key)
                except psycopg2.extensions.TransactionRollbackError:
                    if attempt == TRANSACTION_ATTEMPTS:
                        raise
                    cr.rollback()
                    continue
                slot = SessionSlot(value)
                yield slot
                if slot.changed:
                    self._write(cr, full_key, slot.value, slot.ttl)
                return

    @staticmethod
    def _lock_row(cr, full_key):
        cr.execute(
            "INSERT INTO mp_wechat_session (key, value, expires_at)"
            " VALUES (%s, NULL, (now() at time zone 'UTC'))"
            " ON CONFLICT (key) DO NOTHING", (full_key,))
        cr.execute(
            "SELECT value, expires_at > (now() at time zone 'UTC')"
            " FROM mp_wechat_session WHERE key = %s FOR UPDATE",
            (full_key,))
        value, valid = cr.fetchone()
        return value if valid else None
