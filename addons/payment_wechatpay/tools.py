# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The row lock and the loop of the money code."""
import logging

import psycopg2.extensions

_logger = logging.getLogger(__name__)


def process_each(records, func, auto_commit=True, on_error=None):
    """``func(record)`` for each record, each in its own transaction.

    A record another transaction changed meanwhile is left to it. A
    failing record is logged and handed to ``on_error`` (default: its
    write date is renewed) (typically: note
    when it was tried, so it goes to the back of the queue); it does not
    stop the others. With ``auto_commit`` each record's work is committed
    at once, so that a crash later in the batch does not undo money that
    already moved at WeChat.

    Odoo 11's HTTP test mode shares one cursor whose single savepoint any
    nested cursor rolls back to, destroying ours: there the savepoint is
    skipped and an error propagates.
    """
    cr = records.env.cr
    nested = not records.env.registry.in_test_mode()
    for record in records:
        # Its own prefetch: reading one record must not load the batch.
        record = record.with_prefetch()
        try:
            if nested:
                with cr.savepoint():
                    func(record)
            else:
                func(record)
        except psycopg2.extensions.TransactionRollbackError:
            if not nested:
                raise
            # Another transaction (a notify, a second server) changed the
            # record since our snapshot: it is being handled there.
            _logger.info("%s %s: handled concurrently", func.__name__,
                         record)
        except Exception:  # pylint: disable=broad-except
            if not nested:
                raise
            _logger.exception("%s %s failed", func.__name__, record)
            record.invalidate_cache(ids=record.ids)
            try:
                with cr.savepoint():
                    # To the back of the queue (the queues are ordered by
                    # write date), so that it cannot stall the others.
                    (on_error or _touch)(record)
            except Exception:  # pylint: disable=broad-except
                _logger.exception("could not set %s aside", record)
        if auto_commit:
            cr.commit()  # pylint: disable=invalid-commit
    return len(records)


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
