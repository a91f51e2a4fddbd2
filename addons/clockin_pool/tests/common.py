# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import fields

from odoo.addons.payment_wechatpay.tests.common import WechatPayCase


def utc_in(**delta):
    return fields.Datetime.to_string(
        datetime.datetime.utcnow() + datetime.timedelta(**delta))


class ClockinCase(WechatPayCase):
    """Clock-in rules of the test company; today's round with its window
    moved around "now" on demand (rounds keep their own timestamps)."""

    def setUp(self):
        super(ClockinCase, self).setUp()
        self.company.write({
            "clockin_stake_fen": 100, "clockin_fee_percent": 0.0,
            "clockin_split_mode": "random", "clockin_cap_fen": 0,
            "clockin_nobody_policy": "refund", "clockin_risk_rank": 0,
            "clockin_tz": "Asia/Shanghai",
        })
        self.Round = self.env["clockin.round"]
        self.Entry = self.env["clockin.entry"]
        # Rounds of the demo data and of earlier runs out of the way:
        # today's moves to a day long past, the others stop.
        self.today = self.Round._local_today(self.company)
        self.env.cr.execute(
            "UPDATE clockin_round SET day = day - (3000 + 400 * id)"
            " WHERE company_id = %s AND day >= %s",
            [self.company.id, str(self.today)])
        self.env.cr.execute(
            "UPDATE clockin_round SET state = 'settled' WHERE company_id = %s"
            " AND state != 'settled'", [self.company.id])
        self.Round.invalidate_cache()
        self.round = self.Round._ensure(self.company, self.today)
        self.round.write({"state": "open"})
        self.joining()

    # -- the round's clock -------------------------------------------------

    def joining(self, rnd=None):
        """The round takes entries (its window opens in an hour)."""
        (rnd or self.round).write({
            "window_start": utc_in(hours=1), "window_end": utc_in(hours=2),
            "settle_at": utc_in(hours=3)})

    def in_window(self, rnd=None):
        (rnd or self.round).write({
            "window_start": utc_in(minutes=-5),
            "window_end": utc_in(minutes=30),
            "settle_at": utc_in(minutes=40)})

    def after_window(self, rnd=None):
        (rnd or self.round).write({
            "window_start": utc_in(hours=-2),
            "window_end": utc_in(minutes=-30),
            "settle_at": utc_in(minutes=-1)})

    # -- people --------------------------------------------------------------

    def entrants(self, count, clocked, rnd=None, stake=None):
        """``count`` paid entries (without orders: for the split and
        its figures), the first ``clocked`` clocked in, a second
        apart."""
        rnd = rnd or self.round
        entries = self.Entry
        base = datetime.datetime.utcnow() - datetime.timedelta(hours=1)
        for index in range(count):
            partner = self.env["res.partner"].create(
                {"name": "Early bird %d" % index})
            entries |= self.Entry.create({
                "round_id": rnd.id, "partner_id": partner.id,
                "stake_fen": stake or rnd.stake_fen, "state": "paid",
            })
        for index, entry in enumerate(entries[:clocked]):
            entry.write({"state": "clocked", "clocked_at":
                         fields.Datetime.to_string(
                             base + datetime.timedelta(seconds=index))})
        return entries

    def user(self, name):
        login = self.login(name)
        return login["token"], self.env["res.partner"].browse(
            login["profile"]["id"])

    def fund(self, partner, fen):
        self.env["wechatpay.wallet"]._of(partner, self.company)._credit(
            fen, "refund", "test funds")

    def settle(self, rnd=None):
        rnd = rnd or self.round
        self.after_window(rnd)
        rnd._settle(auto_commit=False)
        rnd.invalidate_cache()
        return rnd

    def unbalanced_moves(self):
        self.env.cr.execute("""
            SELECT move_id FROM account_move_line GROUP BY move_id
            HAVING round(sum(debit) - sum(credit), 2) != 0""")
        return self.env.cr.fetchall()
