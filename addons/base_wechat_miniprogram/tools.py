# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Small helpers shared by the models of the addon."""
import random
import time

import psycopg2.errors
import psycopg2.extensions

from odoo import api
from odoo.tools import mute_logger

#: Tries of a short transaction that lost a race (serialization failure).
TRANSACTION_ATTEMPTS = 5
#: What a transaction that lost a race raises, as Odoo's own RPC sees it:
#: a serialization failure or deadlock, or a lock taken NOWAIT that
#: another transaction holds (Odoo 11's journal sequences are gapless:
#: two postings in one journal at once meet on its sequence row).
CONFLICTS = (psycopg2.extensions.TransactionRollbackError,
             psycopg2.errors.LockNotAvailable)


def mask_name(name):
    """A user's name as other users see it (lists, rankings, winners):
    张* / 张*三 / A****a, at most four stars, never empty."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name or "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * min(len(name) - 2, 4) + name[-1]


def like_literal(text):
    """``text`` for an ``ilike`` domain that matches it literally: the
    ORM puts it between ``%`` as it is, so a search for ``%`` or ``_``
    would match everything (PostgreSQL's LIKE escapes with ``\\``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace(
        "_", "\\_")


def run_in_new_transaction(registry, func):
    """Run ``func(cr)`` in a transaction of its own and commit it.

    For bookkeeping that must not depend on the caller's transaction
    (counted even when the call fails) and must not make it fail: Odoo's
    REPEATABLE READ transactions raise a serialization failure when two of
    them update one row at once, and the loser is simply run again, with a
    fresh snapshot.
    """
    for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
        with registry.cursor() as cr:
            try:
                with mute_logger("odoo.sql_db"):  # expected, retried
                    return func(cr)
            except psycopg2.extensions.TransactionRollbackError:
                if attempt == TRANSACTION_ATTEMPTS:
                    raise
                cr.rollback()


def replay_on_conflict(env, func, attempts=TRANSACTION_ATTEMPTS, pause=0.02):
    """``func()`` in the request's transaction, replayed when it lost a
    race for a row.

    Odoo's transactions are REPEATABLE READ: two that update or lock the
    same row at once cannot both commit, and the loser gets a
    serialization failure (or, for a lock taken NOWAIT such as a
    journal's sequence, a lock error). It changed nothing, so it is
    rolled back and run again on a fresh snapshot after a short random
    pause; only one that keeps losing raises.
    """
    for attempt in range(1, attempts + 1):
        try:
            with mute_logger("odoo.sql_db"):  # expected, replayed
                return func()
        except CONFLICTS:
            if attempt == attempts:
                raise
            env.cr.rollback()
            env.clear()
            time.sleep(random.uniform(0, pause * attempt))


def run_read_committed(env, func):
    """``func(env)`` in a READ COMMITTED transaction of its own, committed
    when it returns; its result must be plain data (the records' cursor
    closes).

    For a decision taken under a row lock that many requests want at once
    (the last seats, the bids on one lot). Under Odoo's REPEATABLE READ
    every waiter of the lock fails with a serialization error once the
    holder commits and is replayed from the start, so a crowd thrashes;
    under READ COMMITTED a waiter goes on with the committed row as soon as
    it has the lock, and the crowd is served in turn. In Odoo's test mode
    (one shared cursor) it runs in the caller's transaction.
    """
    registry = env.registry
    if registry.in_test_mode():
        return func(env)
    with registry.cursor() as cr:
        cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        return func(api.Environment(cr, env.uid, env.context))
