# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The money audit: does every fen of a database add up, in Odoo's books
and at WeChat? Run through ``scripts/audit``.

Usage: money_audit.py [--db DB] [--simulator URL] [--since DATETIME]
                      [--no-wechat] [--quiet]

It reads the database with plain SQL (it trusts none of the addons' code)
and WeChat's side from the simulator's control API (``/sim/orders``, with
each order's refunds, and ``/sim/transfers``), and checks:

* journals: every posted journal entry balances; every entry of the
  WeChat Pay and customer wallet journals belongs to a payment, refund,
  payout or wallet entry (a second booking of one of them does not);
* payments: an order WeChat says was paid is ``done`` in Odoo with the
  same amount, and a ``done`` transaction is paid at WeChat; a done one is
  booked once, as a posted inbound payment of its amount in the WeChat
  Pay journal, paying an invoice (revenue, or a liability such as a
  deposit or a stake) or, paid after its order closed, refunded in full;
* refunds: succeeded at WeChat <=> succeeded in Odoo (PROCESSING/pending,
  CHANGE/exception, REFUNDCLOSE/closed alike), same order and amount; a
  succeeded one booked once (a paid credit note and/or an outbound
  payment of its amount); never more refunded than paid, on either side;
* payouts: transferred at WeChat <=> ``done`` in Odoo with the same
  amount and its journal entry (Dr the source / Cr WeChat Pay); one
  payout per origin (an envelope is paid once); a payout credited to the
  wallet or failed was not transferred as well;
* wallets: no negative balance; each balance is the sum of its ledger;
  each ledger entry is booked (its payment or journal entry moves the
  same amount on the wallet liability account, a withdrawal has its
  payout); every journal item on that account belongs to an entry or a
  payout; without ``--since``, the wallets of a company add up to its
  wallet liability account (plus withdrawals on their way to WeChat);
* WeChat's records of this database (its number prefix) that Odoo does
  not know: paid orders, refunds and transfers;
* failed queue jobs of the money channel.

``--since`` (UTC, ``YYYY-MM-DD HH:MM:SS``) limits the checks to what was
created after it: the simulator keeps its state in memory, so records of
earlier runs are unknown to a restarted one. Balances (never negative,
equal to their ledger) are always checked for every wallet; the total
against the liability account only for the whole database.

Exit status: 0 clean, 1 discrepancies (one line each, on stdout: what,
which record, the amounts), 2 the audit could not run.
"""
import argparse
import calendar
import collections
import datetime
import decimal
import os
import re
import sys

import psycopg2
import requests

EPOCH = datetime.datetime(1970, 1, 1)
PAID_PAYMENT_STATES = ("posted", "sent", "reconciled")
#: WeChat refund_status -> the Odoo refund state that must go with it.
REFUND_STATES = {"PROCESSING": "pending", "SUCCESS": "succeeded",
                 "CHANGE": "exception", "REFUNDCLOSE": "closed"}
#: Refund states that hold money back from the payment.
REFUNDING = ("pending", "succeeded", "exception")
#: Where the money of a paid invoice may sit: revenue, or a liability
#: (a deposit, a stake, a prize owed).
SETTLED_TYPES = tuple("data_account_type_%s" % name for name in (
    "revenue", "other_income", "current_liabilities",
    "non_current_liabilities"))


def fen(amount):
    """A numeric CNY amount from PostgreSQL as integer fen."""
    if amount is None:
        return 0
    return int((decimal.Decimal(str(amount)) * 100).to_integral_value(
        decimal.ROUND_HALF_UP))


def parse_since(text):
    for fmt in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(
        "not a UTC datetime (YYYY-MM-DD HH:MM:SS): %r" % text)


class Audit(object):
    """The checks, each adding lines to ``problems``."""

    def __init__(self, cr, wechat, since):
        self.cr = cr
        self.wechat = wechat  # None: WeChat's side is not checked
        self.since = since or EPOCH
        self.since_epoch = calendar.timegm(self.since.timetuple())
        self.problems = []
        self.counts = collections.Counter()

    def fail(self, what, record, message):
        self.problems.append("%s %s: %s" % (what, record, message))

    def rows(self, query, params=()):
        self.cr.execute(query, params)
        names = [column[0] for column in self.cr.description]
        return [dict(zip(names, row)) for row in self.cr.fetchall()]

    # -- setup ---------------------------------------------------------------

    def load_setup(self):
        self.acquirers = {a["id"]: a for a in self.rows("""
            SELECT a.id, a.company_id, a.journal_id, a.wechatpay_mch_id,
                   COALESCE(a.wechatpay_number_prefix, '') AS prefix,
                   j.default_debit_account_id AS account_id
            FROM payment_acquirer a
            LEFT JOIN account_journal j ON j.id = a.journal_id
            WHERE a.provider = 'wechatpay'""")}
        self.wallet_journals = {c["company_id"]: c for c in self.rows("""
            SELECT c.id AS company_id, c.wechatpay_wallet_journal_id
                   AS journal_id, j.default_credit_account_id AS account_id
            FROM res_company c
            JOIN account_journal j ON j.id = c.wechatpay_wallet_journal_id
            """)}
        numbers = "|".join(re.escape(a["prefix"])
                           for a in self.acquirers.values())
        #: Numbers this database hands out (prefix, kind letter, id).
        self.own_number = re.compile("^(?:%s)([TRW])[0-9]{12}$" % numbers)

    # -- journals ------------------------------------------------------------

    def check_journal_entries(self):
        for move in self.rows("""
                SELECT m.id, m.name, m.ref, sum(l.debit) AS debit,
                       sum(l.credit) AS credit
                FROM account_move m
                JOIN account_move_line l ON l.move_id = m.id
                WHERE m.state = 'posted' AND m.create_date >= %s
                GROUP BY m.id
                HAVING round(sum(l.debit) - sum(l.credit), 2) <> 0""",
                              [self.since]):
            self.fail("journal entry", "%s (account.move %d, %s)" % (
                move["name"], move["id"], move["ref"] or "no ref"),
                "unbalanced: debit %d fen, credit %d fen" % (
                    fen(move["debit"]), fen(move["credit"])))
        self.cr.execute("SELECT count(*) FROM account_move WHERE state ="
                        " 'posted' AND create_date >= %s", [self.since])
        self.counts["journal entries"] = self.cr.fetchone()[0]
        journals = [a["journal_id"] for a in self.acquirers.values()] + [
            w["journal_id"] for w in self.wallet_journals.values()]
        # Entries of the money journals must each belong to a record.
        for move in self.rows("""
                WITH explained AS (
                    SELECT l.move_id FROM payment_transaction t
                    JOIN account_move_line l
                      ON l.payment_id = t.wechatpay_payment_id
                    UNION SELECT l.move_id FROM wechatpay_refund r
                    JOIN account_move_line l ON l.payment_id = r.payment_id
                    UNION SELECT move_id FROM wechatpay_payout
                    WHERE move_id IS NOT NULL
                    UNION SELECT l.move_id FROM wechatpay_wallet_entry e
                    JOIN account_move_line l ON l.payment_id = e.payment_id
                    UNION SELECT move_id FROM wechatpay_wallet_entry
                    WHERE move_id IS NOT NULL)
                SELECT m.id, m.name, m.ref, j.name AS journal,
                       sum(l.debit) AS amount
                FROM account_move m
                JOIN account_journal j ON j.id = m.journal_id
                JOIN account_move_line l ON l.move_id = m.id
                WHERE m.journal_id = ANY(%s) AND m.state = 'posted'
                  AND m.create_date >= %s
                  AND m.id NOT IN (SELECT move_id FROM explained)
                GROUP BY m.id, j.name ORDER BY m.id""",
                              [journals, self.since]):
            self.fail("journal entry", "%s (account.move %d, %s)" % (
                move["name"], move["id"], move["ref"] or "no ref"),
                "in the %s journal but no payment, refund, payout or wallet "
                "entry books it (a second booking?): %d fen" % (
                    move["journal"], fen(move["amount"])))

    # -- helpers on payments -------------------------------------------------

    def load_payments(self, ids):
        """Payments by id, with their net amount on their journal's
        account, posted moves and reconciled invoices."""
        ids = sorted({i for i in ids if i})
        payments = {p["id"]: dict(p, net=0, posted_moves=0, invoices=[])
                    for p in self.rows("""
            SELECT p.id, p.name, p.state, p.payment_type, p.amount,
                   p.journal_id, p.communication, p.payment_transaction_id,
                   j.default_debit_account_id AS account_id
            FROM account_payment p
            JOIN account_journal j ON j.id = p.journal_id
            WHERE p.id = ANY(%s)""", [ids])}
        for line in self.rows("""
                SELECT l.payment_id, l.move_id, l.account_id, l.debit,
                       l.credit, m.state
                FROM account_move_line l
                JOIN account_move m ON m.id = l.move_id
                WHERE l.payment_id = ANY(%s)""", [ids]):
            payment = payments[line["payment_id"]]
            if line["state"] != "posted":
                continue
            if line["account_id"] == payment["account_id"]:
                payment["net"] += fen(line["debit"]) - fen(line["credit"])
            payment.setdefault("moves", set()).add(line["move_id"])
        for payment in payments.values():
            payment["posted_moves"] = len(payment.pop("moves", ()))
        for row in self.rows("""
                SELECT r.payment_id, i.id, i.number, i.type, i.state,
                       i.amount_total
                FROM account_invoice_payment_rel r
                JOIN account_invoice i ON i.id = r.invoice_id
                WHERE r.payment_id = ANY(%s)""", [ids]):
            payments[row["payment_id"]]["invoices"].append(row)
        return payments

    def check_payment(self, what, record, payment, payment_type, amount_fen,
                      journal_id):
        """A payment booking ``amount_fen`` in ``journal_id``, posted."""
        if payment is None:
            self.fail(what, record, "%d fen not booked (no payment)"
                      % amount_fen)
            return False
        name = "payment %s (account.payment %d)" % (
            payment["name"], payment["id"])
        if payment["state"] not in PAID_PAYMENT_STATES:
            self.fail(what, record, "%s is %s, not posted" % (
                name, payment["state"]))
        if payment["payment_type"] != payment_type:
            self.fail(what, record, "%s is %s, not %s" % (
                name, payment["payment_type"], payment_type))
        if fen(payment["amount"]) != amount_fen:
            self.fail(what, record, "%s is %d fen, expected %d fen" % (
                name, fen(payment["amount"]), amount_fen))
        if payment["journal_id"] != journal_id:
            self.fail(what, record, "%s is in journal %s, expected %s" % (
                name, payment["journal_id"], journal_id))
        sign = 1 if payment_type == "inbound" else -1
        if payment["posted_moves"] != 1 or \
                payment["net"] != sign * amount_fen:
            self.fail(what, record, "%s has %d posted journal entries "
                      "moving %d fen on its journal's account, expected one "
                      "moving %d fen" % (name, payment["posted_moves"],
                                         payment["net"], sign * amount_fen))
        return True

    # -- WeChat's side -------------------------------------------------------

    def load_wechat(self):
        self.orders, self.wechat_refunds, self.transfers = {}, {}, {}
        if self.wechat is None:
            return
        mch_ids = {a["wechatpay_mch_id"] for a in self.acquirers.values()}
        for order in self.wechat("orders")["orders"]:
            if order["mch_id"] not in mch_ids:
                continue
            self.orders[order["out_trade_no"]] = order
            for refund in order.get("refunds") or ():
                self.wechat_refunds[refund["out_refund_no"]] = refund
        for transfer in self.wechat("transfers")["transfers"]:
            if transfer.get("mchid") in mch_ids:
                self.transfers[transfer["partner_trade_no"]] = transfer

    def is_own(self, number, kind):
        match = self.own_number.match(number or "")
        return bool(match) and match.group(1) == kind

    # -- payments ------------------------------------------------------------

    def check_transactions(self):
        txs = self.rows("""
            SELECT t.id, t.reference, t.state, t.wechatpay_out_trade_no AS
                   out_trade_no, t.wechatpay_total_fee AS total_fee,
                   t.acquirer_reference, t.wechatpay_late AS late,
                   t.wechatpay_payment_id AS payment_id, t.acquirer_id
            FROM payment_transaction t
            WHERE t.acquirer_id = ANY(%s) AND t.create_date >= %s
            ORDER BY t.id""", [list(self.acquirers), self.since])
        self.counts["transactions"] = len(txs)
        ids = [tx["id"] for tx in txs]
        payments = self.load_payments([tx["payment_id"] for tx in txs])
        refunded = collections.defaultdict(int)
        for row in self.rows("""
                SELECT transaction_id, state, sum(amount_fen) AS amount
                FROM wechatpay_refund WHERE transaction_id = ANY(%s)
                GROUP BY transaction_id, state""", [ids]):
            refunded[row["transaction_id"], row["state"]] += row["amount"]
        bookings = {row["payment_transaction_id"]: row for row in self.rows(
            """SELECT payment_transaction_id, count(*) AS count,
                      string_agg(name, ', ') AS names
               FROM account_payment
               WHERE payment_transaction_id = ANY(%s)
                 AND payment_type = 'inbound' AND state <> 'cancelled'
               GROUP BY payment_transaction_id""", [ids])}
        self.load_misplaced([i["id"] for p in payments.values()
                             for i in p["invoices"]])
        known = set()
        for tx in txs:
            known.add(tx["out_trade_no"])
            record = "%s (payment.transaction %d)" % (
                tx["out_trade_no"] or tx["reference"], tx["id"])
            self.check_transaction(tx, record, payments, refunded, bookings)
        if self.wechat is None:
            return
        # WeChat's paid orders of this database that Odoo does not know.
        self.cr.execute(
            "SELECT wechatpay_out_trade_no FROM payment_transaction"
            " WHERE wechatpay_out_trade_no = ANY(%s)",
            [[no for no in self.orders if no not in known]])
        known.update(row[0] for row in self.cr.fetchall())
        for number, order in sorted(self.orders.items()):
            if number in known or not order.get("transaction_id") or \
                    not self.is_own(number, "T") or \
                    order.get("created_at", 0) < self.since_epoch:
                continue
            self.fail("payment", number, "paid at WeChat (%d fen, %s), "
                      "unknown to Odoo" % (order["total_fee"],
                                           order["transaction_id"]))

    def load_misplaced(self, invoice_ids):
        """Invoice lines whose money is neither revenue nor owed: where
        a paid WeChat payment may not end up."""
        self.misplaced = collections.defaultdict(list)
        for line in self.rows("""
                SELECT l.invoice_id, a.code, a.name,
                       COALESCE(d.name, t.name) AS type,
                       round(l.price_subtotal * 100)::int AS amount
                FROM account_invoice_line l
                JOIN account_account a ON a.id = l.account_id
                JOIN account_account_type t ON t.id = a.user_type_id
                LEFT JOIN ir_model_data d ON d.model = 'account.account.type'
                     AND d.res_id = t.id AND d.module = 'account'
                WHERE l.invoice_id = ANY(%s)
                  AND COALESCE(d.name, '') NOT IN %s""", [
                invoice_ids, SETTLED_TYPES]):
            self.misplaced[line["invoice_id"]].append(line)

    def check_transaction(self, tx, record, payments, refunded, bookings):
        order = self.orders.get(tx["out_trade_no"])
        paid_at_wechat = bool(order and order.get("transaction_id"))
        if self.wechat is not None:
            if paid_at_wechat and tx["state"] != "done":
                self.fail("payment", record, "paid at WeChat (%d fen), %s "
                          "in Odoo" % (order["total_fee"], tx["state"]))
            if tx["state"] == "done" and not paid_at_wechat:
                self.fail("payment", record, "done in Odoo (%d fen), %s" % (
                    tx["total_fee"], "unknown to WeChat" if order is None
                    else "%s at WeChat" % order["state"]))
            if paid_at_wechat and order["total_fee"] != tx["total_fee"]:
                self.fail("payment", record, "%d fen at WeChat, %d fen in "
                          "Odoo" % (order["total_fee"], tx["total_fee"]))
            if paid_at_wechat and tx["state"] == "done" and \
                    tx["acquirer_reference"] != order["transaction_id"]:
                self.fail("payment", record, "WeChat transaction_id %s, "
                          "Odoo has %s" % (order["transaction_id"],
                                           tx["acquirer_reference"]))
        booking = bookings.get(tx["id"])
        if tx["state"] != "done":
            if tx["payment_id"] or booking:
                self.fail("payment", record, "%s in Odoo but booked (%s)" % (
                    tx["state"], booking and booking["names"]))
            return
        if booking and booking["count"] > 1:
            self.fail("payment", record, "booked %d times (%s), %d fen "
                      "each" % (booking["count"], booking["names"],
                                tx["total_fee"]))
        self.check_transaction_books(tx, record, payments, refunded)

    def check_transaction_books(self, tx, record, payments, refunded):
        """Where the money of a done transaction sits: booked once, then
        on a paid invoice (revenue or a liability) or refunded."""
        acquirer = self.acquirers[tx["acquirer_id"]]
        payment = payments.get(tx["payment_id"])
        if not self.check_payment("payment", record, payment, "inbound",
                                  tx["total_fee"], acquirer["journal_id"]):
            return
        held = sum(refunded[tx["id"], state] for state in REFUNDING)
        if held > tx["total_fee"]:
            self.fail("payment", record, "%d fen refunded or being refunded"
                      " of %d fen paid" % (held, tx["total_fee"]))
        if tx["late"]:
            # Paid after its order closed: the whole amount goes back.
            if held != tx["total_fee"]:
                self.fail("payment", record, "paid after its order closed, "
                          "%d fen of %d fen refunded or being refunded" % (
                              held, tx["total_fee"]))
            return
        invoices = [i for i in payment["invoices"] if i["type"] ==
                    "out_invoice"]
        if not invoices:
            self.fail("payment", record, "%d fen booked as an unapplied "
                      "payment (%s): no invoice takes it" % (
                          tx["total_fee"], payment["name"]))
        for invoice in invoices:
            if invoice["state"] != "paid":
                self.fail("payment", record, "its invoice %s (%d fen) is "
                          "%s, not paid" % (invoice["number"],
                                            fen(invoice["amount_total"]),
                                            invoice["state"]))
            for line in self.misplaced.get(invoice["id"], ()):
                self.fail("payment", record, "its invoice %s puts %d fen on "
                          "%s %s (%s), neither revenue nor a liability" % (
                              invoice["number"], line["amount"],
                              line["code"], line["name"], line["type"]))

    # -- refunds -------------------------------------------------------------

    def check_refunds(self):
        refunds = self.rows("""
            SELECT r.id, r.name, r.transaction_id, r.amount_fen, r.state,
                   r.destination, r.credit_note_id, r.payment_id,
                   t.wechatpay_out_trade_no AS out_trade_no,
                   t.acquirer_id, t.wechatpay_total_fee AS total_fee,
                   a.company_id
            FROM wechatpay_refund r
            JOIN payment_transaction t ON t.id = r.transaction_id
            JOIN payment_acquirer a ON a.id = t.acquirer_id
            WHERE r.create_date >= %s ORDER BY r.id""", [self.since])
        self.counts["refunds"] = len(refunds)
        payments = self.load_payments([r["payment_id"] for r in refunds])
        note_ids = [r["credit_note_id"] for r in refunds
                    if r["credit_note_id"]]
        credit_notes = {i["id"]: i for i in self.rows("""
            SELECT i.id, i.number, i.type, i.state, i.amount_total,
                   (SELECT count(*) FROM account_invoice_payment_rel rel
                    JOIN account_payment p ON p.id = rel.payment_id
                    WHERE rel.invoice_id = i.id
                      AND p.state <> 'cancelled') AS payments
            FROM account_invoice i WHERE i.id = ANY(%s)""", [note_ids])}
        paybacks = {row["communication"]: row["count"] for row in self.rows(
            """SELECT communication, count(*) AS count FROM account_payment
               WHERE communication = ANY(%s) AND payment_type = 'outbound'
                 AND state <> 'cancelled' GROUP BY communication""",
            [[r["name"] for r in refunds]])}
        known = set()
        for refund in refunds:
            known.add(refund["name"])
            record = "%s (wechatpay.refund %d, of %s)" % (
                refund["name"], refund["id"], refund["out_trade_no"])
            self.check_refund(refund, record, payments, credit_notes,
                              paybacks)
        if self.wechat is None:
            return
        self.cr.execute("SELECT name FROM wechatpay_refund WHERE name ="
                        " ANY(%s)", [[no for no in self.wechat_refunds
                                      if no not in known]])
        known.update(row[0] for row in self.cr.fetchall())
        for number, refund in sorted(self.wechat_refunds.items()):
            if number in known or not self.is_own(number, "R") or \
                    refund.get("created_at", 0) < self.since_epoch:
                continue
            self.fail("refund", number, "%s at WeChat (%d fen of %s), "
                      "unknown to Odoo" % (refund["refund_status"],
                                           refund["refund_fee"],
                                           refund["out_trade_no"]))
        # WeChat's own rule, checked on its side too.
        for number, order in sorted(self.orders.items()):
            held = sum(self.wechat_refunds[no]["refund_fee"]
                       for no in (r["out_refund_no"] for r in
                                  order.get("refunds") or ())
                       if self.wechat_refunds[no]["refund_status"] in
                       ("PROCESSING", "SUCCESS", "CHANGE"))
            if held > order["total_fee"] and self.is_own(number, "T"):
                self.fail("payment", number, "WeChat refunded %d fen of %d "
                          "fen paid" % (held, order["total_fee"]))

    def check_refund(self, refund, record, payments, credit_notes,
                     paybacks):
        state = refund["state"]
        if refund["destination"] == "original" and self.wechat is not None:
            theirs = self.wechat_refunds.get(refund["name"])
            if theirs is None:
                if state not in ("pending", "failed"):
                    self.fail("refund", record, "%s in Odoo (%d fen), "
                              "unknown to WeChat" % (state,
                                                     refund["amount_fen"]))
            else:
                expected = REFUND_STATES.get(theirs["refund_status"])
                if state != expected and not (
                        state == "failed" and expected == "closed"):
                    self.fail("refund", record, "%s at WeChat (%d fen), %s "
                              "in Odoo" % (theirs["refund_status"],
                                           theirs["refund_fee"], state))
                if theirs["refund_fee"] != refund["amount_fen"]:
                    self.fail("refund", record, "%d fen at WeChat, %d fen "
                              "in Odoo" % (theirs["refund_fee"],
                                           refund["amount_fen"]))
                if theirs["out_trade_no"] != refund["out_trade_no"]:
                    self.fail("refund", record, "of %s at WeChat" %
                              theirs["out_trade_no"])
        if state not in ("succeeded", "exception") and state != "pending":
            if refund["payment_id"] or refund["credit_note_id"]:
                self.fail("refund", record, "%s but booked" % state)
            return
        if state == "pending":
            if refund["payment_id"] or refund["credit_note_id"]:
                self.fail("refund", record, "pending but booked")
            return
        if state == "exception":
            return  # settled by hand in WeChat's merchant platform
        journal_id = self.acquirers[refund["acquirer_id"]]["journal_id"] \
            if refund["destination"] == "original" else \
            self.wallet_journals.get(refund["company_id"], {}).get(
                "journal_id")
        self.check_payment("refund", record, payments.get(
            refund["payment_id"]), "outbound", refund["amount_fen"],
            journal_id)
        note = credit_notes.get(refund["credit_note_id"])
        if note is not None:
            if note["type"] != "out_refund" or note["state"] != "paid" or \
                    fen(note["amount_total"]) != refund["amount_fen"]:
                self.fail("refund", record, "credit note %s is %s %s of %d "
                          "fen, expected a paid out_refund of %d fen" % (
                              note["number"], note["state"], note["type"],
                              fen(note["amount_total"]),
                              refund["amount_fen"]))
            if note["payments"] > 1:
                self.fail("refund", record, "credit note %s paid back %d "
                          "times" % (note["number"], note["payments"]))
        elif paybacks.get(refund["name"], 0) > 1:
            self.fail("refund", record, "paid back %d times" %
                      paybacks[refund["name"]])

    # -- payouts -------------------------------------------------------------

    def check_payouts(self):
        payouts = self.rows("""
            SELECT p.id, p.name, p.partner_id, p.amount_fen, p.state,
                   p.source, p.debit_account_id, p.origin, p.payment_no,
                   p.move_id, p.wallet_entry_id, p.acquirer_id, p.company_id
            FROM wechatpay_payout p
            WHERE p.create_date >= %s ORDER BY p.id""", [self.since])
        self.counts["payouts"] = len(payouts)
        moves = collections.defaultdict(list)
        for line in self.rows("""
                SELECT l.move_id, l.account_id, l.debit, l.credit, m.state
                FROM account_move_line l
                JOIN account_move m ON m.id = l.move_id
                WHERE l.move_id = ANY(%s)""", [
                [p["move_id"] for p in payouts if p["move_id"]]]):
            moves[line["move_id"]].append(line)
        entries = {e["id"]: e for e in self.rows("""
            SELECT id, amount_fen, kind FROM wechatpay_wallet_entry
            WHERE id = ANY(%s)""", [[p["wallet_entry_id"] for p in payouts
                                     if p["wallet_entry_id"]]])}
        by_origin = collections.defaultdict(list)
        for entry in self.rows("""
                SELECT origin, kind, amount_fen FROM wechatpay_wallet_entry
                WHERE origin = ANY(%s)""", [
                ["wechatpay.payout,%d" % p["id"] for p in payouts]]):
            by_origin[entry["origin"]].append(entry)
        known = set()
        for payout in payouts:
            known.add(payout["name"])
            record = "%s (wechatpay.payout %d)" % (payout["name"],
                                                   payout["id"])
            self.check_payout(payout, record, moves, entries,
                              by_origin["wechatpay.payout,%d" % payout["id"]])
        for row in self.rows("""
                SELECT origin, count(*) AS count, sum(amount_fen) AS amount,
                       string_agg(name, ', ') AS names
                FROM wechatpay_payout
                WHERE origin IS NOT NULL AND source = 'account'
                  AND state IN ('pending', 'done', 'wallet')
                  AND origin IN (SELECT origin FROM wechatpay_payout
                                 WHERE create_date >= %s)
                GROUP BY origin HAVING count(*) > 1""", [self.since]):
            self.fail("payout", row["origin"], "paid out %d times (%s), %d "
                      "fen in all" % (row["count"], row["names"],
                                      row["amount"]))
        if self.wechat is None:
            return
        self.cr.execute("SELECT name FROM wechatpay_payout WHERE name ="
                        " ANY(%s)", [[no for no in self.transfers
                                      if no not in known]])
        known.update(row[0] for row in self.cr.fetchall())
        for number, transfer in sorted(self.transfers.items()):
            if number in known or not self.is_own(number, "W") or \
                    transfer_epoch(transfer) < self.since_epoch:
                continue
            self.fail("payout", number, "transferred at WeChat (%d fen to "
                      "%s), unknown to Odoo" % (transfer["amount"],
                                                transfer["openid"]))

    def check_payout(self, payout, record, moves, entries, wallet_entries):
        theirs = self.transfers.get(payout["name"])
        state, amount = payout["state"], payout["amount_fen"]
        if self.wechat is not None:
            paid = bool(theirs and theirs.get("status") == "SUCCESS")
            if paid and state != "done":
                self.fail("payout", record, "transferred at WeChat (%d fen)"
                          ", %s in Odoo%s" % (theirs["amount"], state,
                                              " (paid twice)" if state in (
                                                  "wallet", "failed")
                                              else ""))
            if state == "done" and not paid:
                self.fail("payout", record, "done in Odoo (%d fen), %s" % (
                    amount, "unknown to WeChat" if theirs is None else
                    "%s at WeChat" % theirs.get("status")))
            if theirs and theirs["amount"] != amount:
                self.fail("payout", record, "%d fen at WeChat, %d fen in "
                          "Odoo" % (theirs["amount"], amount))
            if paid and state == "done" and \
                    payout["payment_no"] != theirs["payment_no"]:
                self.fail("payout", record, "WeChat payment_no %s, Odoo has"
                          " %s" % (theirs["payment_no"], payout["payment_no"]))
        acquirer = self.acquirers.get(payout["acquirer_id"], {})
        wallet = self.wallet_journals.get(payout["company_id"], {})
        if state == "done":
            self.check_payout_move(record, payout, moves,
                                   acquirer.get("account_id"))
        elif state == "wallet":
            self.check_payout_move(record, payout, moves,
                                   wallet.get("account_id"))
            entry = entries.get(payout["wallet_entry_id"])
            if not entry or entry["amount_fen"] != amount:
                self.fail("payout", record, "credited to the wallet, but "
                          "its wallet entry is %s" % (
                              entry and "%d fen" % entry["amount_fen"]))
        elif payout["move_id"]:
            self.fail("payout", record, "%s but booked (account.move %d)" % (
                state, payout["move_id"]))
        if payout["source"] == "wallet":
            kinds = collections.Counter()
            for entry in wallet_entries:
                kinds[entry["kind"]] += entry["amount_fen"]
            expected = {"withdrawal": -amount}
            if state == "failed":
                expected["payout_reversal"] = amount
            if dict(kinds) != expected:
                self.fail("payout", record, "%s withdrawal of %d fen, its "
                          "wallet entries are %s" % (state, amount,
                                                     dict(kinds)))

    def check_payout_move(self, record, payout, moves, credit_account):
        lines = moves.get(payout["move_id"]) or []
        debit = sum(fen(line["debit"]) - fen(line["credit"])
                    for line in lines
                    if line["account_id"] == payout["debit_account_id"])
        credit = sum(fen(line["credit"]) - fen(line["debit"])
                     for line in lines
                     if line["account_id"] == credit_account)
        if not lines or any(line["state"] != "posted" for line in lines) or \
                debit != payout["amount_fen"] or \
                credit != payout["amount_fen"]:
            self.fail("payout", record, "%s (%d fen), its journal entry %s "
                      "moves Dr %d fen / Cr %d fen" % (
                          payout["state"], payout["amount_fen"],
                          payout["move_id"], debit, credit))

    # -- wallets -------------------------------------------------------------

    def check_wallets(self):
        wallets = self.rows("""
            SELECT w.id, w.partner_id, w.company_id, w.balance_fen,
                   COALESCE(sum(e.amount_fen), 0) AS ledger,
                   (SELECT balance_after_fen FROM wechatpay_wallet_entry
                    WHERE wallet_id = w.id ORDER BY id DESC LIMIT 1)
                   AS last
            FROM wechatpay_wallet w
            LEFT JOIN wechatpay_wallet_entry e ON e.wallet_id = w.id
            GROUP BY w.id ORDER BY w.id""")
        self.counts["wallets"] = len(wallets)
        totals = collections.defaultdict(int)
        for wallet in wallets:
            record = "of partner %d (wechatpay.wallet %d)" % (
                wallet["partner_id"], wallet["id"])
            totals[wallet["company_id"]] += wallet["balance_fen"]
            if wallet["balance_fen"] < 0:
                self.fail("wallet", record, "negative balance: %d fen" %
                          wallet["balance_fen"])
            if wallet["ledger"] != wallet["balance_fen"] or (
                    wallet["last"] is not None and
                    wallet["last"] != wallet["balance_fen"]):
                self.fail("wallet", record, "balance %d fen, its ledger "
                          "adds up to %d fen (last entry says %s)" % (
                              wallet["balance_fen"], wallet["ledger"],
                              wallet["last"]))
        if self.since == EPOCH:
            self.check_wallet_totals(totals)
        self.check_wallet_entries()
        self.check_wallet_account()

    def check_wallet_totals(self, totals):
        """The whole database: what the wallets hold is what the books
        owe (the withdrawals on their way to WeChat aside: their entry
        is made when asked, their journal entry when paid)."""
        for company_id, journal in sorted(self.wallet_journals.items()):
            self.cr.execute("""
                SELECT COALESCE(sum(l.credit), 0) - COALESCE(sum(l.debit), 0)
                FROM account_move_line l
                JOIN account_move m ON m.id = l.move_id
                WHERE m.state = 'posted' AND l.account_id = %s""",
                            [journal["account_id"]])
            liability = fen(self.cr.fetchone()[0])
            self.cr.execute("""
                SELECT COALESCE(sum(amount_fen), 0) FROM wechatpay_payout
                WHERE source = 'wallet' AND state = 'pending'
                  AND company_id = %s""", [company_id])
            leaving = self.cr.fetchone()[0]
            if liability != totals[company_id] + leaving:
                self.fail("wallets", "of company %d" % company_id,
                          "balances add up to %d fen (+ %d fen of pending "
                          "withdrawals), the wallet liability account to %d "
                          "fen" % (totals[company_id], leaving, liability))

    def check_wallet_entries(self):
        """Each ledger entry of the period is booked: its payment or
        journal entry moves the same amount on the wallet liability
        account (withdrawals and their reversals: see the payouts)."""
        accounts = {w["company_id"]: w["account_id"]
                    for w in self.wallet_journals.values()}
        entries = self.rows("""
            SELECT e.id, e.wallet_id, e.kind, e.name, e.amount_fen,
                   e.origin, e.payment_id, e.move_id, w.company_id,
                   EXISTS (SELECT 1 FROM wechatpay_payout p
                           WHERE e.origin = 'wechatpay.payout,' || p.id)
                   AS of_payout
            FROM wechatpay_wallet_entry e
            JOIN wechatpay_wallet w ON w.id = e.wallet_id
            WHERE e.create_date >= %s ORDER BY e.id""", [self.since])
        booked = collections.defaultdict(int)
        for line in self.rows("""
                SELECT l.payment_id, l.move_id, l.account_id, l.debit,
                       l.credit
                FROM account_move_line l
                JOIN account_move m ON m.id = l.move_id
                WHERE m.state = 'posted'
                  AND (l.payment_id = ANY(%s) OR l.move_id = ANY(%s))""", [
                [e["payment_id"] for e in entries if e["payment_id"]],
                [e["move_id"] for e in entries if e["move_id"]]]):
            amount = fen(line["credit"]) - fen(line["debit"])
            booked["payment", line["payment_id"], line["account_id"]] += \
                amount
            booked["move", line["move_id"], line["account_id"]] += amount
        for entry in entries:
            record = "%s (wechatpay.wallet.entry %d, wallet %d)" % (
                entry["name"], entry["id"], entry["wallet_id"])
            if entry["kind"] in ("withdrawal", "payout_reversal"):
                if not entry["of_payout"]:
                    self.fail("wallet entry", record, "%s of %d fen without "
                              "its payout" % (entry["kind"],
                                              entry["amount_fen"]))
                continue
            if entry["payment_id"]:
                document = "payment", entry["payment_id"]
            elif entry["move_id"]:
                document = "move", entry["move_id"]
            else:
                self.fail("wallet entry", record, "%s of %d fen without an "
                          "accounting document" % (entry["kind"],
                                                   entry["amount_fen"]))
                continue
            moved = booked[document + (accounts.get(entry["company_id"]),)]
            if moved != entry["amount_fen"]:
                self.fail("wallet entry", record, "%s of %d fen, its %s %d "
                          "moves %d fen on the wallet account" % (
                              entry["kind"], entry["amount_fen"],
                              document[0], document[1], moved))

    def check_wallet_account(self):
        """Every journal item of the period on a wallet liability account
        belongs to a wallet entry or a withdrawal."""
        accounts = [w["account_id"] for w in self.wallet_journals.values()]
        for move in self.rows("""
                WITH explained AS (
                    SELECT l.move_id FROM wechatpay_wallet_entry e
                    JOIN account_move_line l ON l.payment_id = e.payment_id
                    UNION SELECT move_id FROM wechatpay_wallet_entry
                    WHERE move_id IS NOT NULL
                    UNION SELECT move_id FROM wechatpay_payout
                    WHERE move_id IS NOT NULL)
                SELECT m.id, m.name, m.ref,
                       sum(l.credit) - sum(l.debit) AS amount
                FROM account_move m
                JOIN account_move_line l ON l.move_id = m.id
                WHERE l.account_id = ANY(%s) AND m.state = 'posted'
                  AND m.create_date >= %s
                  AND m.id NOT IN (SELECT move_id FROM explained)
                GROUP BY m.id ORDER BY m.id""", [accounts, self.since]):
            self.fail("journal entry", "%s (account.move %d, %s)" % (
                move["name"], move["id"], move["ref"] or "no ref"),
                "moves %d fen on the wallet liability account, but no "
                "wallet entry or payout books it" % fen(move["amount"]))

    # -- jobs ----------------------------------------------------------------

    def check_jobs(self):
        for job in self.rows("""
                SELECT uuid, name, func_string, exc_info FROM queue_job
                WHERE state = 'failed' AND date_created >= %s
                  AND channel LIKE 'root.wechatpay%%' ORDER BY id""",
                             [self.since]):
            last = (job["exc_info"] or "").strip().splitlines()[-1:] or [""]
            self.fail("job", "%s (%s)" % (job["name"] or job["func_string"],
                                          job["uuid"]),
                      "failed: %s" % last[0][:200])

    def run(self):
        self.load_setup()
        self.load_wechat()
        self.check_journal_entries()
        self.check_transactions()
        self.check_refunds()
        self.check_payouts()
        self.check_wallets()
        self.check_jobs()
        return self.problems


def transfer_epoch(transfer):
    """When WeChat paid a transfer (Beijing time) as a UTC epoch."""
    try:
        when = datetime.datetime.strptime(transfer.get("payment_time", ""),
                                          "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return 0
    return calendar.timegm(when.timetuple()) - 8 * 3600


def simulator_client(url):
    base = url.rstrip("/") + "/sim/"
    session = requests.Session()

    def get(path):
        response = session.get(base + path, timeout=60)
        response.raise_for_status()
        return response.json()
    return get


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Check that every fen of a database adds up, in "
                    "Odoo's books and at WeChat (the simulator).")
    parser.add_argument("--db", default=os.environ.get("MP_TEST_DB")
                        or "mp_demo")
    parser.add_argument("--simulator", default=os.environ.get(
        "WECHAT_SIM_URL") or "http://127.0.0.1:8900/")
    parser.add_argument("--since", type=parse_since,
                        help="only records created after this UTC time")
    parser.add_argument("--no-wechat", action="store_true",
                        help="check the books only, not WeChat's side")
    parser.add_argument("--quiet", action="store_true",
                        help="print the discrepancies only")
    args = parser.parse_args(argv)
    wechat = None
    if not args.no_wechat:
        wechat = simulator_client(args.simulator)
        try:
            wechat("health")
        except (requests.RequestException, ValueError) as error:
            sys.stderr.write(
                "[audit] ERROR: the WeChat simulator does not answer at %s "
                "(%s). Fix: start it (scripts/run does), pass --simulator "
                "URL, or --no-wechat to check the books only\n" % (
                    args.simulator, type(error).__name__))
            return 2
    try:
        connection = psycopg2.connect(dbname=args.db)
    except psycopg2.Error as error:
        sys.stderr.write("[audit] ERROR: cannot open database %s (%s). "
                         "Fix: pass --db or set MP_TEST_DB\n" % (
                             args.db, str(error).strip()))
        return 2
    try:
        connection.set_session(readonly=True, isolation_level="REPEATABLE "
                               "READ")
        with connection.cursor() as cr:
            audit = Audit(cr, wechat, args.since)
            problems = audit.run()
    finally:
        connection.close()
    for line in problems:
        print(line)
    if not args.quiet:
        print("[audit] %s%s: %s checked against %s: %s" % (
            args.db, " since %s UTC" % args.since if args.since else "",
            ", ".join("%d %s" % (count, name)
                      for name, count in sorted(audit.counts.items())),
            "WeChat (%s)" % args.simulator if wechat else "nothing at WeChat",
            "%d discrepancies" % len(problems) if problems else "clean"),
            file=sys.stderr if problems else sys.stdout)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
