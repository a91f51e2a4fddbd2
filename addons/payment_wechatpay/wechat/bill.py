# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Parse WeChat Pay's daily bill (``downloadbill``, bill_type ALL).

The bill is text: a header line of Chinese column names, one line per
payment or refund with every field prefixed by a backquote, then a
summary header and a summary line. Amounts are yuan with two decimals.
"""
import collections
import decimal

BillLine = collections.namedtuple("BillLine", (
    "trade_time", "transaction_id", "out_trade_no", "trade_state",
    "amount_fen", "refund_id", "out_refund_no", "refund_fen", "fee_fen"))

#: Column names of the lines we read.
COLUMNS = {
    "trade_time": "交易时间",
    "transaction_id": "微信订单号",
    "out_trade_no": "商户订单号",
    "trade_state": "交易状态",
    "amount": "订单金额",
    "refund_id": "微信退款单号",
    "out_refund_no": "商户退款单号",
    "refund": "退款金额",
    "fee": "手续费",
}
SUMMARY_START = "总交易单数"


def yuan_text_to_fen(text):
    """``'1.23'`` -> ``123``, exactly (no float on the way)."""
    text = (text or "0").strip() or "0"
    return int((decimal.Decimal(text) * 100).to_integral_value(
        rounding=decimal.ROUND_HALF_UP))


def parse_bill(text):
    """The lines of a bill: a list of ``BillLine``; ValueError if the text
    is not a bill."""
    rows = [row for row in text.replace("\r\n", "\n").split("\n") if row]
    if not rows:
        raise ValueError("empty bill")
    header = rows[0].lstrip("\ufeff").split(",")
    try:
        index = {key: header.index(name) for key, name in COLUMNS.items()}
    except ValueError:
        raise ValueError("not a WeChat Pay bill: %r" % rows[0][:80])
    lines = []
    for row in rows[1:]:
        if row.startswith(SUMMARY_START):
            break
        cells = [cell.lstrip("`") for cell in row.split(",")]
        if len(cells) < len(header):
            raise ValueError("short bill line: %r" % row[:80])

        def cell(key):
            return cells[index[key]].strip()
        lines.append(BillLine(
            trade_time=cell("trade_time"),
            transaction_id=cell("transaction_id"),
            out_trade_no=cell("out_trade_no"),
            trade_state=cell("trade_state"),
            amount_fen=yuan_text_to_fen(cell("amount")),
            refund_id=cell("refund_id") if cell("refund_id") != "0" else "",
            out_refund_no=(cell("out_refund_no")
                           if cell("out_refund_no") != "0" else ""),
            refund_fen=yuan_text_to_fen(cell("refund")),
            fee_fen=yuan_text_to_fen(cell("fee")),
        ))
    return lines


def split_lines(lines):
    """(payment lines, refund lines)."""
    return ([line for line in lines if line.trade_state != "REFUND"],
            [line for line in lines if line.trade_state == "REFUND"])
