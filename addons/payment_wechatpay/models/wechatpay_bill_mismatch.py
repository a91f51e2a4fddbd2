# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..money import fen_to_yuan


class WechatpayBillMismatch(models.Model):
    """A line of WeChat's bill, or an Odoo record of the day, that has no
    equal on the other side; ``cause`` says how they differ."""

    _name = "wechatpay.bill.mismatch"
    _description = "WeChat Pay Bill Mismatch"
    _order = "bill_id desc, kind, reference"
    _rec_name = "reference"

    bill_id = fields.Many2one(
        "wechatpay.bill", required=True, ondelete="cascade", index=True)
    bill_date = fields.Date(related="bill_id.bill_date", store=True)
    company_id = fields.Many2one(related="bill_id.company_id", store=True)
    currency_id = fields.Many2one(related="bill_id.currency_id")
    kind = fields.Selection([
        ("payment", "Payment"),
        ("refund", "Refund"),
        ("payout", "Payout"),
    ], required=True)
    cause = fields.Selection([
        ("missing_in_odoo", "Only at WeChat"),
        ("missing_in_bill", "Only in Odoo"),
        ("amount", "Amounts differ"),
        ("state", "States differ"),
    ], required=True)
    reference = fields.Char(required=True)
    wechat_fen = fields.Integer(string="WeChat (fen)")
    odoo_fen = fields.Integer(string="Odoo (fen)")
    wechat_amount = fields.Monetary(
        string="WeChat", compute="_compute_amounts")
    odoo_amount = fields.Monetary(string="Odoo", compute="_compute_amounts")
    note = fields.Char()
    transaction_id = fields.Many2one("payment.transaction")
    refund_id = fields.Many2one("wechatpay.refund")
    payout_id = fields.Many2one("wechatpay.payout")

    @api.depends("wechat_fen", "odoo_fen")
    def _compute_amounts(self):
        for mismatch in self:
            mismatch.wechat_amount = fen_to_yuan(mismatch.wechat_fen)
            mismatch.odoo_amount = fen_to_yuan(mismatch.odoo_fen)
