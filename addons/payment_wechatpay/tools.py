# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The row lock and the loop of the money code."""
import logging
import random
import time

import psycopg2.errors
import psycopg2.extensions

_logger = logging.getLogger(__name__)

#: What a transaction that lost a race raises: a row changed since its
#: snapshot (serialization failure, deadlock), or a lock taken NOWAIT is
#: held (Odoo 11's journal sequences are gapless: two postings in one
#: journal at once meet on its sequence row). Odoo's own RPC retries
#: the same errors.
CONFLICTS = (psycopg2.extensions.TransactionRollbackError,
             psycopg2.errors.LockNotAvailable)
#: Tries of one record that keeps losing races, each on a new snapshot.
RECORD_ATTEMPTS = 6


def process_each(records, func, auto_commit=True, on_error=None):
    """``func(record)`` for each record, each in its own transaction.

    A record whose transaction loses a race (``CONFLICTS``: another
    transaction changed it, or holds the sequence of the journal it posts
    in) is tried again on a new snapshot, a few times, when every record
    before it is committed (``auto_commit``); one that still loses is
    left to the other transaction, or to the next run. A failing record
    is logged and handed to ``on_error`` (default: its write date is
    renewed, so it goes to the back of the queue); it does not stop the
    others. With ``auto_commit`` each record's work is committed at once,
    so that a crash later in the batch does not undo money that already
    moved at WeChat. ``func`` must be idempotent (it runs under the
    record's lock and checks its state), as a retry may redo it.

    Odoo 11's HTTP test mode shares one cursor whose single savepoint any
    nested cursor rolls back to, destroying ours: there the savepoint is
    skipped and an error propagates.
    """
    cr = records.env.cr
    nested = not records.env.registry.in_test_mode()
    for record in records:
        # Its own prefetch: reading one record must not load the batch.
        record = record.with_prefetch()
        for attempt in range(1, RECORD_ATTEMPTS + 1):
            try:
                if nested:
                    with cr.savepoint():
                        func(record)
                else:
                    func(record)
            except CONFLICTS as error:
                if not nested:
                    raise
                if auto_commit and attempt < RECORD_ATTEMPTS:
                    # Nothing else is uncommitted: start again afresh.
                    cr.rollback()
                    records.env.clear()
                    time.sleep(random.uniform(0.1, 0.4) * attempt)
                    continue
                if isinstance(error, psycopg2.errors.LockNotAvailable):
                    _failed(cr, record, func, on_error)
                else:
                    # Another transaction (a notify, a second server)
                    # changed the record: it is being handled there.
                    _logger.info("%s %s: handled concurrently",
                                 func.__name__, record)
            except Exception:  # pylint: disable=broad-except
                if not nested:
                    raise
                _failed(cr, record, func, on_error)
            break
        if auto_commit:
            cr.commit()  # pylint: disable=invalid-commit
    return len(records)


def _failed(cr, record, func, on_error):
    _logger.exception("%s %s failed", func.__name__, record)
    record.invalidate_cache(ids=record.ids)
    try:
        with cr.savepoint():
            # To the back of the queue (the queues are ordered by write
            # date), so that it cannot stall the others.
            (on_error or _touch)(record)
    except Exception:  # pylint: disable=broad-except
        _logger.exception("could not set %s aside", record)


def _touch(record):
    record.write({})


def lock_row(cr, table, row_id, skip_locked=False):
    """Lock a row for the rest of the transaction; False if ``skip_locked``
    and another transaction holds it.

    The row is also touched (an UPDATE that changes nothing): under
    REPEATABLE READ a plain ``SELECT ... FOR UPDATE`` lets the next
    transaction take the lock after our commit and go on with a snapshot
    that cannot see what we wrote beside the row (a refund, a transaction).
    Touched, the row makes that transaction fail with a serialization error
    instead, and its caller replays it on a fresh snapshot.
    """
    cr.execute('SELECT id FROM "%s" WHERE id = %%s FOR UPDATE%s' % (
        table, " SKIP LOCKED" if skip_locked else ""), [row_id])
    if not cr.fetchone():
        return False
    cr.execute('UPDATE "%s" SET write_date = write_date WHERE id = %%s'
               % table, [row_id])
    return True
