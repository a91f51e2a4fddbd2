# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The money audit (``scripts/audit``) itself: clean after a scenario
where money moves every way (WeChat payments, a partial and a full
refund, a transfer, a payout to the wallet, a wallet payment, a
withdrawal), then each thing broken in SQL, one at a time, is named and
fails it; repaired, it is clean again."""
import contextlib
import json

from money_tools import (
    assert_audit_clean, audit, db_now, login, make_orders, odoo, pay,
    settle_money, sql, tx_state, wait_for)

MOVE_MONEY = """
import json
Tx = env['payment.transaction']
company = env.ref('base.main_company')
acquirer = env.ref('payment_wechatpay.payment_acquirer_wechatpay')
partner = env['res.partner'].browse(%(partner)d)
income = env['account.account'].search([('user_type_id', '=', env.ref(
    'account.data_account_type_revenue').id)], limit=1)
partial = env['wechatpay.refund']._request(
    Tx.browse(%(tx1)d), 500, 'partial')
whole = env['wechatpay.refund']._request(
    Tx.browse(%(tx2)d), Tx.browse(%(tx2)d).wechatpay_total_fee, 'whole')
transfer = env['wechatpay.payout']._request(
    partner, 150, 'Audit prize', company, income)
acquirer.wechatpay_payout_enabled = False
to_wallet = env['wechatpay.payout']._request(
    partner, 2000, 'Audit prize', company, income)
acquirer.wechatpay_payout_enabled = True
env.cr.commit()
print(json.dumps({'partial': partial.id, 'whole': whole.id,
                  'transfer': transfer.id, 'to_wallet': to_wallet.id}))
"""

WITHDRAW = """
import json
payout = env['wechatpay.payout']._mp_withdraw(
    env['res.partner'].browse(%d), 300, env.ref('base.main_company'))
env.cr.commit()
print(json.dumps(payout.id))
"""


def paid_by_wechat(server, sim, auth, order_id):
    status, body = pay(server, auth, order_id)
    assert status == 200, body
    sim("POST", "pay", out_trade_no=body["out_trade_no"])
    assert wait_for(lambda: tx_state(body["transaction_id"])[0] == "done")
    return body["transaction_id"]


@contextlib.contextmanager
def broken(*statements):
    """Apply ``(break, repair, params)`` statements, yield, repair."""
    for wreck, _repair, params in statements:
        sql(wreck, params)
    try:
        yield
    finally:
        for _wreck, repair, params in reversed(statements):
            sql(repair, params)


def assert_named(*needles):
    code, output = audit(SINCE[0])
    assert code == 1, output
    lines = [line for line in output.splitlines()
             if not line.startswith("[audit]")]
    for needle in needles:
        assert any(needle in line for line in lines), (needle, output)
    return lines


SINCE = []

COLUMNS = """
SELECT string_agg(quote_ident(column_name), ', ')
FROM information_schema.columns
WHERE table_name = %s AND column_name NOT IN ('id', 'move_id', 'payment_id',
    'full_reconcile_id', 'reconciled')
"""


def copy_move(move_id):
    """A second, unlinked copy of a posted journal entry (a double
    booking); its id."""
    [(move_columns,)] = sql(COLUMNS.replace("'move_id', ", ""),
                            ["account_move"])
    [(copy_id,)] = sql("INSERT INTO account_move (%s) SELECT %s FROM"
                       " account_move WHERE id = %%s RETURNING id" % (
                           move_columns, move_columns), [move_id])
    [(line_columns,)] = sql(COLUMNS, ["account_move_line"])
    sql("INSERT INTO account_move_line (move_id, %s) SELECT %%s, %s FROM"
        " account_move_line WHERE move_id = %%s" % (
            line_columns, line_columns), [copy_id, move_id])
    return copy_id


def test_audit_is_clean_then_names_each_break(odoo_server, sim):
    since = db_now()
    SINCE[:] = [since]
    auth, partner = login(odoo_server, sim, "auditee-%s" % since.strftime(
        "%H%M%S%f"))
    orders = make_orders(partner, 3, "12.34")
    tx1 = paid_by_wechat(odoo_server, sim, auth, orders[0])
    tx2 = paid_by_wechat(odoo_server, sim, auth, orders[1])
    moved = json.loads(odoo(MOVE_MONEY % {
        "partner": partner, "tx1": tx1, "tx2": tx2}))
    assert settle_money(since) == (0, 0, 0, 0)
    status, body = pay(odoo_server, auth, orders[2], "wallet")
    assert status == 200 and body["state"] == "paid", body
    withdrawal = json.loads(odoo(WITHDRAW % partner))
    assert settle_money(since) == (0, 0, 0, 0)
    facts = sql("""
        SELECT (SELECT array_agg(state ORDER BY id) FROM wechatpay_refund
                WHERE id IN %s),
               (SELECT array_agg(state ORDER BY id) FROM wechatpay_payout
                WHERE id IN %s)""", [
        (moved["partial"], moved["whole"]),
        (moved["transfer"], moved["to_wallet"], withdrawal)])[0]
    assert facts == (["succeeded", "succeeded"], ["done", "wallet", "done"])
    output = assert_audit_clean(since)
    assert "3 transactions" not in output or "clean" in output

    # An unbalanced line.
    [(line, move_name)] = sql("""
        SELECT l.id, m.name FROM account_move_line l
        JOIN account_move m ON m.id = l.move_id
        JOIN payment_transaction t ON l.payment_id = t.wechatpay_payment_id
        WHERE t.id = %s AND l.debit > 0""", [tx1])
    with broken(("UPDATE account_move_line SET debit = debit + 0.01"
                 " WHERE id = %s",
                 "UPDATE account_move_line SET debit = debit - 0.01"
                 " WHERE id = %s", [line])):
        assert_named("journal entry %s" % move_name, "unbalanced")

    # A done transaction WeChat does not know (and its paid order that
    # Odoo no longer knows).
    [(number,)] = sql("SELECT wechatpay_out_trade_no FROM payment_transaction"
                      " WHERE id = %s", [tx1])
    with broken(("UPDATE payment_transaction SET wechatpay_out_trade_no ="
                 " wechatpay_out_trade_no || 'Z' WHERE id = %s",
                 "UPDATE payment_transaction SET wechatpay_out_trade_no ="
                 " rtrim(wechatpay_out_trade_no, 'Z') WHERE id = %s",
                 [tx1])):
        assert_named("payment %sZ (payment.transaction %d): done in Odoo "
                     "(1234 fen), unknown to WeChat" % (number, tx1),
                     "payment %s: paid at WeChat (1234 fen" % number)

    # A payment whose invoice puts the money on an expense account.
    [(invoice_line, income)] = sql("""
        SELECT l.id, l.account_id FROM account_invoice_line l
        JOIN account_invoice_payment_rel r ON r.invoice_id = l.invoice_id
        JOIN payment_transaction t ON t.wechatpay_payment_id = r.payment_id
        WHERE t.id = %s""", [tx1])
    [(expense,)] = sql("""
        SELECT a.id FROM account_account a
        JOIN ir_model_data d ON d.model = 'account.account.type'
             AND d.res_id = a.user_type_id
        WHERE d.name = 'data_account_type_expenses' LIMIT 1""")
    with broken(("UPDATE account_invoice_line SET account_id = %s WHERE id ="
                 " %%s" % expense, "UPDATE account_invoice_line SET"
                 " account_id = %s WHERE id = %%s" % income,
                 [invoice_line])):
        assert_named("payment %s (payment.transaction %d): its invoice" % (
            number, tx1), "puts 1234 fen on", "neither revenue nor a "
            "liability")

    # A refund booked twice.
    [(refund_move, refund_name)] = sql("""
        SELECT DISTINCT l.move_id, r.name FROM wechatpay_refund r
        JOIN account_move_line l ON l.payment_id = r.payment_id
        WHERE r.id = %s""", [moved["partial"]])
    copy = copy_move(refund_move)
    try:
        assert_named("(account.move %d" % copy, "a second booking?): 500 fen")
    finally:
        sql("DELETE FROM account_move_line WHERE move_id = %s", [copy])
        sql("DELETE FROM account_move WHERE id = %s", [copy])

    # A refund WeChat made that Odoo still thinks is pending.
    with broken(("UPDATE wechatpay_refund SET state = 'pending' WHERE id ="
                 " %s", "UPDATE wechatpay_refund SET state = 'succeeded'"
                 " WHERE id = %s", [moved["partial"]])):
        assert_named("refund %s (wechatpay.refund %d, of %s): SUCCESS at "
                     "WeChat (500 fen), pending in Odoo" % (
                         refund_name, moved["partial"], number))

    # A payout transferred and credited to the wallet too.
    with broken(("UPDATE wechatpay_payout SET state = 'wallet' WHERE id ="
                 " %s", "UPDATE wechatpay_payout SET state = 'done' WHERE"
                 " id = %s", [moved["transfer"]])):
        assert_named("transferred at WeChat (150 fen), wallet in Odoo "
                     "(paid twice)")

    # A negative wallet (its CHECK constraint is lifted for the while).
    [(wallet, balance)] = sql("SELECT id, balance_fen FROM wechatpay_wallet"
                              " WHERE partner_id = %s", [partner])
    assert balance == 2000 - 1234 - 300
    with broken(
            ("ALTER TABLE wechatpay_wallet DROP CONSTRAINT"
             " wechatpay_wallet_balance_not_negative",
             "ALTER TABLE wechatpay_wallet ADD CONSTRAINT"
             " wechatpay_wallet_balance_not_negative"
             " CHECK (balance_fen >= 0)", []),
            ("UPDATE wechatpay_wallet SET balance_fen = -100 WHERE id = %s",
             "UPDATE wechatpay_wallet SET balance_fen = %s WHERE id = %%s"
             % balance, [wallet])):
        assert_named(
            "(wechatpay.wallet %d): negative balance: -100 fen" % wallet,
            "(wechatpay.wallet %d): balance -100 fen, its ledger adds up to "
            "%d fen" % (wallet, balance))

    # Money in a wallet that the books do not owe.
    [(entry,)] = sql("""
        INSERT INTO wechatpay_wallet_entry (wallet_id, partner_id,
            company_id, kind, name, amount_fen, balance_after_fen,
            create_uid, write_uid, create_date, write_date)
        SELECT id, partner_id, company_id, 'refund', 'audit gift', 100,
            balance_fen + 100, 1, 1, now() at time zone 'UTC',
            now() at time zone 'UTC'
        FROM wechatpay_wallet WHERE id = %s RETURNING id""", [wallet])
    with broken(("UPDATE wechatpay_wallet SET balance_fen = balance_fen +"
                 " 100 WHERE id = %s", "UPDATE wechatpay_wallet SET"
                 " balance_fen = balance_fen - 100 WHERE id = %s", [wallet])):
        try:
            assert_named("wallet entry audit gift (wechatpay.wallet.entry "
                         "%d, wallet %d): refund of 100 fen without an "
                         "accounting document" % (entry, wallet))
        finally:
            sql("DELETE FROM wechatpay_wallet_entry WHERE id = %s", [entry])

    assert_audit_clean(since)
