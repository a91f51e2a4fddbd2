# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

_logger = logging.getLogger(__name__)


class ResCompany(models.Model):
    """The clock-in rules of a company and where its pools live in the
    books.

    Rules are per company (the settings page): a round copies them when
    it is created, so a change applies to rounds created afterwards and
    never to a round people already paid into. Stakes are money held for
    the users, not revenue: the stake product's income account is the
    *stakes held* liability, so each paid invoice credits it; settlement
    moves a round's stakes to the *prizes owed* liability (less the fee,
    to income), from which the envelopes are paid out.
    """

    _inherit = "res.company"

    clockin_enabled = fields.Boolean(
        string="Clock-in Pools", default=True,
        help="Rounds are created ahead for this company.")
    clockin_stake_fen = fields.Integer(
        string="Stake (fen)", default=100)
    clockin_window_start = fields.Float(
        string="Window Opens", default=5.0,
        help="Local time (the company's time zone) the clock-in window "
             "opens; joining the round closes then.")
    clockin_window_end = fields.Float(
        string="Window Closes", default=8.0)
    clockin_settle_time = fields.Float(
        string="Settlement", default=8.0 + 5 / 60.0)
    clockin_tz = fields.Selection(
        "_tz_get", string="Clock-in Time Zone", default="Asia/Shanghai",
        help="Days, windows and settlement are in this time zone, never "
             "the server's.")
    clockin_fee_percent = fields.Float(
        string="Platform Fee (%)", digits=(5, 2), default=0.0,
        help="Taken from the forfeited stakes (and any rolled-over "
             "pool) before the split, rounded down to the fen.")
    clockin_split_mode = fields.Selection([
        ("random", "Random (line cut)"),
        ("equal", "Equal"),
    ], string="Split", default="random")
    clockin_cap_fen = fields.Integer(
        string="Cap per Winner (fen)", default=0,
        help="Random split: no winner's share above this (0: no cap); "
             "what the cap cuts off goes to the others.")
    clockin_nobody_policy = fields.Selection([
        ("refund", "Refund the stakes"),
        ("rollover", "Roll into the next day's pool"),
    ], string="When Nobody Clocks In", default="refund")
    clockin_envelope_days = fields.Integer(
        string="Days to Open an Envelope", default=3,
        help="Envelopes not opened by then are credited to the wallet.")
    clockin_risk_rank = fields.Integer(
        string="Block Risk Rank From", default=0,
        help="0: off. Otherwise a clock-in of a user whose WeChat risk "
             "rank (getuserriskrank) is at least this is refused.")
    clockin_remind_minutes = fields.Integer(
        string="Remind Before the Window (min)", default=30)
    clockin_days_ahead = fields.Integer(
        string="Rounds Created Ahead (days)", default=2)
    clockin_stake_account_id = fields.Many2one(
        "account.account", string="Clock-in Stakes Held")
    clockin_prize_account_id = fields.Many2one(
        "account.account", string="Clock-in Prizes Owed")
    clockin_fee_account_id = fields.Many2one(
        "account.account", string="Clock-in Fee Income")

    _sql_constraints = [
        ("clockin_stake_positive", "CHECK(clockin_stake_fen > 0)",
         "The stake must be at least one fen."),
        ("clockin_fee_range",
         "CHECK(clockin_fee_percent >= 0 AND clockin_fee_percent <= 100)",
         "The fee is a percentage between 0 and 100."),
    ]

    @api.model
    def _tz_get(self):
        return self.env["res.partner"]._fields["tz"].selection(
            self.env["res.partner"])

    @api.constrains("clockin_window_start", "clockin_window_end",
                    "clockin_settle_time")
    def _check_clockin_times(self):
        for company in self:
            if not (0 <= company.clockin_window_start <
                    company.clockin_window_end <=
                    company.clockin_settle_time < 24):
                raise ValidationError(_(
                    "The window must open before it closes, and the "
                    "settlement come after it, on the same day."))

    # -- accounts --------------------------------------------------------

    @api.multi
    def _clockin_account(self, field, name, prefix, type_xmlid,
                         reconcile=False):
        self.ensure_one()
        if not self[field]:
            # Made once, on first use, by whoever first needs it (a
            # join, a settlement): chart work the API user has no right
            # to.
            self.sudo()[field] = self.env["account.account"].sudo().create({
                "name": name,
                "code": self._wechatpay_free_account_code(prefix),
                "user_type_id": self.env.ref(type_xmlid).id,
                "reconcile": reconcile,
                "company_id": self.id,
            })
        return self[field]

    @api.multi
    def _clockin_stake_account(self):
        return self._clockin_account(
            "clockin_stake_account_id", _("Clock-in Stakes Held"), "2241",
            "account.data_account_type_current_liabilities", True)

    @api.multi
    def _clockin_prize_account(self):
        return self._clockin_account(
            "clockin_prize_account_id", _("Clock-in Prizes Owed"), "2241",
            "account.data_account_type_current_liabilities", True)

    @api.multi
    def _clockin_fee_account(self):
        # l10n_cn: 6051 is other operating income.
        return self._clockin_account(
            "clockin_fee_account_id", _("Clock-in Platform Fees"), "6051",
            "account.data_account_type_other_income")

    @api.multi
    def _clockin_stake_product(self):
        """The stake product, its income account the stakes held
        liability of this company."""
        self.ensure_one()
        product = self.env.ref("clockin_pool.product_clockin_stake")
        account = self._clockin_stake_account()
        template = product.product_tmpl_id.sudo().with_context(
            force_company=self.id)
        if template.property_account_income_id != account:
            template.property_account_income_id = account
        return product

    @api.multi
    def _clockin_rules(self):
        """The rules as the mini-program shows them (fen, local times)."""
        self.ensure_one()

        def hhmm(value):
            minutes = int(round(value * 60))
            return "%02d:%02d" % divmod(minutes, 60)
        return {
            "stake_fen": self.clockin_stake_fen,
            "window_start": hhmm(self.clockin_window_start),
            "window_end": hhmm(self.clockin_window_end),
            "settle_time": hhmm(self.clockin_settle_time),
            "time_zone": self.clockin_tz or "Asia/Shanghai",
            "fee_percent": self.clockin_fee_percent,
            "split_mode": self.clockin_split_mode,
            "cap_fen": self.clockin_cap_fen,
            "nobody_missed": "stakes_returned",
            "nobody_clocked_in": self.clockin_nobody_policy,
            "pool_smaller_than_winners": "first_by_clock_in_get_one_fen",
            "min_share_fen": 1,
            "envelope_days": self.clockin_envelope_days,
            "risk_check": bool(self.clockin_risk_rank),
            "payout": "wechat_change_or_wallet",
        }

    @api.multi
    def _clockin_risk_rank_of(self, partner, client_ip=None):
        """WeChat's risk rank of ``partner`` (getuserriskrank), or None
        when WeChat cannot tell (then the clock-in is let through: a
        failing risk service must not fail an honest user's morning)."""
        self.ensure_one()
        client = self._mp_client()
        try:
            result = client.post(
                client.api_root + "wxa/business/getuserriskrank", data={
                    "appid": client.appid, "openid": partner.mp_openid,
                    "scene": 1, "client_ip": client_ip or "127.0.0.1"})
        except Exception as error:  # pylint: disable=broad-except
            _logger.warning("risk rank of %s unknown: %s", partner.id,
                            type(error).__name__)
            return None
        return int(result.get("risk_rank") or 0)
