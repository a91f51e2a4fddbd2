# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The draw, as anyone can recompute it.

A joiner's key is SHA-256 of ``<seed>:<ticket>`` (UTF-8); joiners are
ranked by key (bytes, ascending), then by ticket; the first N win. The
joiner list is the tickets in join order, one per line, and its hash the
SHA-256 of that text. The database ranks with the same formula in SQL, so
a draw over 100,000 joiners is one statement; this module is the same
rule in Python, for checking a draw.
"""
import hashlib


def ticket_key(seed, ticket):
    return hashlib.sha256(("%s:%s" % (seed, ticket)).encode()).digest()


def rank_tickets(seed, tickets):
    """The tickets, best first."""
    return sorted(tickets, key=lambda t: (ticket_key(seed, t), t))


def tickets_hash(tickets):
    return hashlib.sha256("\n".join(tickets).encode()).hexdigest()


def ranking_sql(table):
    """An UPDATE ranking a lottery's entries and marking the first
    ``winners`` won and the others lost, each row written once
    (parameters ``seed``, ``lottery`` and ``winners``)."""
    return """
        UPDATE {table} e SET rank = r.rank,
            state = CASE WHEN r.rank <= %(winners)s THEN 'won'
                         ELSE 'lost' END,
            write_date = now() at time zone 'UTC'
        FROM (
            SELECT id, row_number() OVER (ORDER BY
                sha256(convert_to(%(seed)s || ':' || ticket, 'UTF8')),
                ticket COLLATE "C") AS rank
            FROM {table} WHERE lottery_id = %(lottery)s
        ) r
        WHERE e.id = r.id
    """.format(table=table)
