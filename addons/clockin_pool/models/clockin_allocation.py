# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models

from odoo.addons.payment_wechatpay.tools import lock_row, process_each

#: Envelopes credited to wallets per cron run.
CREDIT_BATCH = 200


class ClockinAllocation(models.Model):
    """A winner's red envelope (红包): their share of the pool and their
    own stake back.

    Written at settlement in bulk (one row per winner, unique per entry)
    and sealed with the round's hash; opening pays it exactly once (the
    row's lock and state, and the payout's own unique number), by a
    transfer to WeChat change or to the wallet.
    """

    _name = "clockin.allocation"
    _description = "Clock-in Allocation"
    _order = "round_id desc, rank"
    _rec_name = "partner_id"

    round_id = fields.Many2one("clockin.round", string="Round",
                               required=True, readonly=True, index=True,
                               ondelete="restrict")
    day = fields.Date(related="round_id.day", readonly=True)
    entry_id = fields.Many2one("clockin.entry", string="Entry",
                               required=True, readonly=True,
                               ondelete="restrict")
    partner_id = fields.Many2one("res.partner", string="Winner",
                                 required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", readonly=True)
    rank = fields.Integer(string="Clock-in Order", readonly=True)
    share_fen = fields.Integer(string="Share (fen)", readonly=True)
    stake_fen = fields.Integer(string="Stake Back (fen)", readonly=True)
    amount_fen = fields.Integer(string="Envelope (fen)", readonly=True)
    state = fields.Selection([
        ("sealed", "Not Opened"),
        ("opened", "Opened"),
        ("credited", "Credited to Wallet (not opened)"),
    ], default="sealed", required=True, readonly=True, index=True)
    opened_at = fields.Datetime(readonly=True)
    payout_id = fields.Many2one("wechatpay.payout", string="Payout",
                                readonly=True)
    payout_state = fields.Selection(related="payout_id.state",
                                    readonly=True)

    _sql_constraints = [
        ("entry_uniq", "unique(entry_id)",
         "An entry has one allocation."),
        ("amount_sum", "CHECK(amount_fen = share_fen + stake_fen)",
         "An envelope is the share plus the stake."),
    ]

    @api.multi
    def _mp_open(self, company):
        """Open the envelope: reveal it and pay it out, once.

        Under the row's lock: a second call at once waits, then (its
        snapshot being stale) is replayed and finds it opened, and
        answers the same payout. The payout is a business payout from the
        prizes-owed account: WeChat change, or the wallet when transfers
        are off, under the minimum or refused.
        """
        self.ensure_one()
        lock_row(self.env.cr, self._table, self.id)
        self.invalidate_cache(ids=self.ids)
        if self.state == "sealed":
            payout = self._pay_out(company, wallet=False)
            self.sudo().write({"state": "opened", "payout_id": payout.id,
                               "opened_at": fields.Datetime.now()})
        elif not self.opened_at:
            self.sudo().opened_at = fields.Datetime.now()
        return self

    @api.multi
    def _pay_out(self, company, wallet):
        """The payout of this envelope. Payouts are accounting records
        the API user may not create: the caller owns the envelope, which
        was checked, and the amount is the sealed one."""
        self.ensure_one()
        Payout = self.env["wechatpay.payout"].sudo()
        description = _("Clock-in envelope %s") % self.round_id.day
        origin = "%s,%d" % (self._name, self.id)
        account = company._clockin_prize_account()
        if not wallet:
            return Payout._request(self.partner_id, self.amount_fen,
                                   description, company,
                                   debit_account=account, origin=origin)
        acquirer = self.env["payment.acquirer"]._get_wechatpay(company)
        payout = Payout.create({
            "partner_id": self.partner_id.id, "acquirer_id": acquirer.id,
            "amount_fen": self.amount_fen, "description": description,
            "origin": origin, "source": "account",
            "debit_account_id": account.id,
        })
        payout.name = acquirer._wechatpay_number("W", payout.id)
        payout._to_wallet(_("Envelope not opened in time"))
        return payout

    @api.model
    def _cron_credit_unopened(self, limit=CREDIT_BATCH, auto_commit=True):
        """Envelopes not opened within the company's days: to the
        wallet. Bounded, one envelope per transaction, SKIP LOCKED (an
        envelope being opened right now is left to its opener)."""
        self.env.cr.execute("""
            SELECT a.id FROM clockin_allocation a
            JOIN clockin_round r ON r.id = a.round_id
            JOIN res_company c ON c.id = r.company_id
            WHERE a.state = 'sealed'
              AND r.settled_at < (now() at time zone 'UTC')
                  - make_interval(days => GREATEST(c.clockin_envelope_days,
                                                   0))
            ORDER BY a.id LIMIT %s""", [limit])
        envelopes = self.browse([row[0] for row in self.env.cr.fetchall()])

        def credit(envelope):
            if lock_row(self.env.cr, self._table, envelope.id,
                        skip_locked=True):
                envelope.invalidate_cache(ids=envelope.ids)
                if envelope.state == "sealed":
                    payout = envelope._pay_out(envelope.round_id.company_id,
                                               wallet=True)
                    envelope.write({"state": "credited",
                                    "payout_id": payout.id})
        process_each(envelopes, credit, auto_commit=auto_commit)
        return len(envelopes)

    @api.multi
    def _mp_json(self):
        self.ensure_one()
        opened = self.state != "sealed" or bool(self.opened_at)
        payout = self.payout_id
        return {
            "id": self.id,
            "round_id": self.round_id.id,
            "day": self.round_id.day,
            "opened": opened,
            "state": self.state,
            "amount_fen": self.amount_fen if opened else None,
            "share_fen": self.share_fen if opened else None,
            "stake_fen": self.stake_fen,
            "payout": {
                "state": payout.state,
                "to": "wallet" if payout.state == "wallet" else "change",
                "amount_fen": payout.amount_fen,
            } if payout else None,
        }
