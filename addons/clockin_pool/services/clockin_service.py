# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import fields

from odoo.addons.base_wechat_miniprogram.tools import mask_name
from odoo.addons.component.core import Component
from odoo.addons.payment_wechatpay.services.payment_service import (
    PAY_RESULT_SCHEMA)

RULES_SCHEMA = {
    "stake_fen": {"type": "integer", "required": True},
    "window_start": {"type": "string", "required": True},
    "window_end": {"type": "string", "required": True},
    "settle_time": {"type": "string", "required": True},
    "time_zone": {"type": "string", "required": True},
    "fee_percent": {"type": "float", "required": True},
    "split_mode": {"type": "string", "required": True},
    "cap_fen": {"type": "integer", "required": True},
    "nobody_missed": {"type": "string", "required": True},
    "nobody_clocked_in": {"type": "string", "required": True},
    "pool_smaller_than_winners": {"type": "string", "required": True},
    "min_share_fen": {"type": "integer", "required": True},
    "envelope_days": {"type": "integer", "required": True},
    "risk_check": {"type": "boolean", "required": True},
    "payout": {"type": "string", "required": True},
    "next_round": {"type": "dict", "nullable": True, "schema": {
        "id": {"type": "integer", "required": True},
        "day": {"type": "string", "required": True},
        "window_start": {"type": "string", "required": True},
        "window_end": {"type": "string", "required": True},
        "settle_at": {"type": "string", "required": True},
        "stake_fen": {"type": "integer", "required": True},
        "rollover_in_fen": {"type": "integer", "required": True},
    }},
}

STATUS_CODES = {"not_joined": 0, "joined": 1, "clocked_in": 2}

SUMMARY_SCHEMA = {
    "reminder": {"type": "boolean", "required": True},
    "status": {"type": "string", "required": True},
    "status_code": {"type": "integer", "required": True},
    "round_id": {"type": "integer", "nullable": True},
    "day": {"type": "string", "nullable": True},
    "phase": {"type": "string", "nullable": True},
    "participants": {"type": "integer", "required": True},
    "clocked_in": {"type": "integer", "required": True},
    "pool_fen": {"type": "integer", "required": True},
    "seconds_to_window": {"type": "integer", "required": True},
    "seconds_to_settlement": {"type": "integer", "required": True},
    "window_open": {"type": "boolean", "required": True},
    "round_open": {"type": "boolean", "required": True},
    "join_round_id": {"type": "integer", "nullable": True},
    "join_day": {"type": "string", "nullable": True},
    "join_status": {"type": "string", "required": True},
    "popup": {"type": "boolean", "required": True},
    "yesterday_pool_fen": {"type": "integer", "required": True},
    "streak": {"type": "integer", "required": True},
}

ENTRY_SCHEMA = {
    "id": {"type": "integer", "required": True},
    "round_id": {"type": "integer", "required": True},
    "day": {"type": "string", "required": True},
    "state": {"type": "string", "required": True},
    "stake_fen": {"type": "integer", "required": True},
    "method": {"type": "string", "required": True},
    "clocked_at": {"type": "string", "nullable": True},
}

LEADER_SCHEMA = {
    "kind": {"type": "string", "required": True},
    "items": {"type": "list", "required": True, "schema": {
        "type": "dict", "schema": {
            "rank": {"type": "integer", "required": True},
            "name": {"type": "string", "required": True},
            "avatar_url": {"type": "string", "nullable": True},
            "value": {"type": "integer", "required": True},
            "at": {"type": "string", "nullable": True},
            "mine": {"type": "boolean", "required": True},
        }}},
}


def seconds_until(value, now):
    if not value:
        return 0
    delta = fields.Datetime.from_string(value) - now
    return max(int(delta.total_seconds()), 0)


class ClockinService(Component):
    """The early clock-in (早起打卡): ``GET /mp/v1/clockin/rules``,
    ``/summary``, ``/check`` and ``/leaderboard``; ``POST .../join``,
    ``.../clock`` and ``.../remind``."""

    _name = "mp.clockin.service"
    _inherit = "mp.base.service"
    _usage = "clockin"
    _description = "Early clock-in pools (早起打卡瓜分)."
    _mp_get_methods = ("rules", "summary", "check", "leaderboard")

    @property
    def company(self):
        return self.env.user.company_id

    def rules(self):
        result = self.company._clockin_rules()
        rnd = self.env["clockin.round"]._joinable(self.company)
        iso = self.partner._mp_iso
        result["next_round"] = {
            "id": rnd.id, "day": rnd.day,
            "window_start": iso(rnd.window_start),
            "window_end": iso(rnd.window_end),
            "settle_at": iso(rnd.settle_at),
            "stake_fen": rnd.stake_fen,
            "rollover_in_fen": rnd.rollover_in_fen,
        } if rnd else None
        return result

    def summary(self):
        Round = self.env["clockin.round"]
        Entry = self.env["clockin.entry"]
        company = self.company
        now = datetime.datetime.utcnow()
        rnd = Round._current(company)
        join = Round._joinable(company)
        rounds = rnd | join
        mine = {entry.round_id: entry for entry in Entry.search([
            ("round_id", "in", rounds.ids),
            ("partner_id", "=", self.partner.id),
            ("state", "not in", ("pending", "cancelled"))])}
        counts = rnd._counts()
        participants, clocked = counts.get(rnd.id, (0, 0))
        previous = Round.search([
            ("company_id", "=", company.id), ("state", "=", "settled")],
            order="day desc", limit=1)
        popup = bool(self.env["clockin.allocation"].search_count([
            ("partner_id", "=", self.partner.id), ("state", "=", "sealed"),
            ("opened_at", "=", False)]))
        status = self._status(mine.get(rnd))
        phase = rnd._phase() if rnd else None
        return {
            "reminder": bool(self.partner.clockin_remind),
            "status": status, "status_code": STATUS_CODES[status],
            "round_id": rnd.id or None, "day": rnd.day or None,
            "phase": phase,
            "participants": participants, "clocked_in": clocked,
            "pool_fen": participants * (rnd.stake_fen or 0) +
            (rnd.rollover_in_fen or 0),
            "seconds_to_window": seconds_until(rnd.window_start, now),
            "seconds_to_settlement": seconds_until(rnd.settle_at, now),
            "window_open": phase == "window",
            "round_open": bool(join),
            "join_round_id": join.id or None, "join_day": join.day or None,
            "join_status": self._status(mine.get(join)),
            "popup": popup,
            "yesterday_pool_fen": (previous.stakes_fen or 0) +
            (previous.rollover_in_fen or 0),
            "streak": self.partner.clockin_streak or 0,
        }

    @staticmethod
    def _status(entry):
        if not entry:
            return "not_joined"
        return "clocked_in" if entry.clocked_at else "joined"

    def check(self):
        rnd = self.env["clockin.round"]._of_today(self.company)
        entry = self.env["clockin.entry"].search([
            ("round_id", "=", rnd.id), ("partner_id", "=", self.partner.id),
            ("clocked_at", "!=", False)], limit=1) if rnd else None
        return {"clocked_in": bool(entry), "round_id": rnd.id or None,
                "clocked_at": self.partner._mp_iso(entry.clocked_at)
                if entry else None}

    def join(self, method="wechatpay"):
        entry, payment = self.env["clockin.entry"]._mp_join(
            self.partner, self.company, method, self._client_ip())
        result = self._entry_json(entry)
        result["payment"] = payment
        return result

    def clock(self):
        entry = self.env["clockin.entry"]._mp_clock(
            self.partner, self.company, self._client_ip())
        rnd = entry.round_id
        result = self._entry_json(entry)
        result.update({
            "rank": entry._rank(),
            "pool_fen": rnd._counts().get(rnd.id, (0, 0))[0] *
            rnd.stake_fen + rnd.rollover_in_fen,
            "streak": self.partner.clockin_streak or 0,
        })
        return result

    def remind(self, on):
        self.partner.sudo().clockin_remind = on
        return {"reminder": on}

    def leaderboard(self, kind="streak", size=20):
        rows = getattr(self, "_leaders_" + kind)(size)
        names = {}
        if rows:
            self.env.cr.execute(
                "SELECT id, COALESCE(NULLIF(mp_nickname, ''), name),"
                " mp_avatar_url FROM res_partner WHERE id IN %s",
                [tuple(row[0] for row in rows)])
            names = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        iso = self.partner._mp_iso
        return {"kind": kind, "items": [{
            "rank": index + 1,
            "name": mask_name(names[partner_id][0]),
            "avatar_url": names[partner_id][1] or None,
            "value": value,
            "at": iso(at) if at else None,
            "mine": partner_id == self.partner.id,
        } for index, (partner_id, value, at) in enumerate(rows)]}

    def _leaders_streak(self, size):
        self.env.cr.execute("""
            SELECT id, clockin_best_streak, NULL FROM res_partner
            WHERE clockin_best_streak > 0
              AND (company_id = %s OR company_id IS NULL)
            ORDER BY clockin_best_streak DESC, clockin_last_day DESC, id
            LIMIT %s""", [self.company.id, size])
        return self.env.cr.fetchall()

    def _leaders_earliest(self, size):
        rnd = self.env["clockin.round"]._of_today(self.company)
        self.env.cr.execute("""
            SELECT partner_id, 0, clocked_at FROM clockin_entry
            WHERE round_id = %s AND clocked_at IS NOT NULL
            ORDER BY clocked_at, id LIMIT %s""", [rnd.id or 0, size])
        return self.env.cr.fetchall()

    def _leaders_luckiest(self, size):
        rnd = self.env["clockin.round"].search([
            ("company_id", "=", self.company.id), ("state", "=", "settled"),
            ("outcome", "=", "split")], order="day desc", limit=1)
        self.env.cr.execute("""
            SELECT partner_id, share_fen, NULL FROM clockin_allocation
            WHERE round_id = %s
            ORDER BY share_fen DESC, rank LIMIT %s""", [rnd.id or 0, size])
        return self.env.cr.fetchall()

    def _entry_json(self, entry):
        return {
            "id": entry.id,
            "round_id": entry.round_id.id,
            "day": entry.round_id.day,
            "state": entry.state,
            "stake_fen": entry.stake_fen,
            "method": entry.method,
            "clocked_at": self.partner._mp_iso(entry.clocked_at),
        }

    # -- validators --------------------------------------------------------

    def _validator_rules(self):
        return {}

    def _validator_return_rules(self):
        return RULES_SCHEMA

    def _validator_summary(self):
        return {}

    def _validator_return_summary(self):
        return SUMMARY_SCHEMA

    def _validator_check(self):
        return {}

    def _validator_return_check(self):
        return {
            "clocked_in": {"type": "boolean", "required": True},
            "round_id": {"type": "integer", "nullable": True},
            "clocked_at": {"type": "string", "nullable": True},
        }

    def _validator_join(self):
        return {"method": {"type": "string", "default": "wechatpay",
                           "allowed": ["wechatpay", "wallet"]}}

    def _validator_return_join(self):
        return dict(ENTRY_SCHEMA, payment={
            "type": "dict", "schema": PAY_RESULT_SCHEMA})

    def _validator_clock(self):
        return {}

    def _validator_return_clock(self):
        return dict(ENTRY_SCHEMA,
                    rank={"type": "integer", "required": True},
                    pool_fen={"type": "integer", "required": True},
                    streak={"type": "integer", "required": True})

    def _validator_remind(self):
        return {"on": {"type": "boolean", "required": True}}

    def _validator_return_remind(self):
        return {"reminder": {"type": "boolean", "required": True}}

    def _validator_leaderboard(self):
        return {
            "kind": {"type": "string", "default": "streak",
                     "allowed": ["streak", "earliest", "luckiest"]},
            "size": {"type": "integer", "coerce": int, "min": 1,
                     "max": 100, "default": 20},
        }

    def _validator_return_leaderboard(self):
        return LEADER_SCHEMA
