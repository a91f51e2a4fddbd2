# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    """The clock-in rules on the settings page (stored on the company)."""

    _inherit = "res.config.settings"

    clockin_enabled = fields.Boolean(
        related="company_id.clockin_enabled", readonly=False)
    clockin_stake_fen = fields.Integer(
        related="company_id.clockin_stake_fen", readonly=False)
    clockin_window_start = fields.Float(
        related="company_id.clockin_window_start", readonly=False)
    clockin_window_end = fields.Float(
        related="company_id.clockin_window_end", readonly=False)
    clockin_settle_time = fields.Float(
        related="company_id.clockin_settle_time", readonly=False)
    clockin_tz = fields.Selection(
        related="company_id.clockin_tz", readonly=False)
    clockin_fee_percent = fields.Float(
        related="company_id.clockin_fee_percent", readonly=False)
    clockin_split_mode = fields.Selection(
        related="company_id.clockin_split_mode", readonly=False)
    clockin_cap_fen = fields.Integer(
        related="company_id.clockin_cap_fen", readonly=False)
    clockin_nobody_policy = fields.Selection(
        related="company_id.clockin_nobody_policy", readonly=False)
    clockin_envelope_days = fields.Integer(
        related="company_id.clockin_envelope_days", readonly=False)
    clockin_risk_rank = fields.Integer(
        related="company_id.clockin_risk_rank", readonly=False)
    clockin_remind_minutes = fields.Integer(
        related="company_id.clockin_remind_minutes", readonly=False)
    clockin_days_ahead = fields.Integer(
        related="company_id.clockin_days_ahead", readonly=False)
