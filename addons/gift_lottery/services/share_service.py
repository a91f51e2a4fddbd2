# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _

from odoo.addons.base_wechat_miniprogram.exceptions import MpNotFound
from odoo.addons.base_wechat_miniprogram.services.base_service import (
    page_schema, pagination_schema)
from odoo.addons.base_wechat_miniprogram.tools import run_read_committed
from odoo.addons.component.core import Component

from .common import (
    ENTRY_SCHEMA, LOTTERY_SCHEMA, PRIZE_SCHEMA, entry_json, lottery_json,
    prize_json)

TOKEN = {"type": "string", "required": True, "empty": False,
         "regex": r"^[A-Za-z0-9_-]{16,64}$"}
CHECK_SCHEMA = {
    "status": {"type": "string", "required": True},
    "lottery": {"type": "dict", "schema": LOTTERY_SCHEMA},
    "entry": {"type": "dict", "nullable": True, "schema": ENTRY_SCHEMA},
    "prize": {"type": "dict", "nullable": True, "schema": PRIZE_SCHEMA},
}
VERIFY_SCHEMA = {
    "seed_hash": {"type": "string", "required": True},
    "seed": {"type": "string", "nullable": True},
    "joiners_hash": {"type": "string", "nullable": True},
    "tickets": {"type": "string", "required": True},
    "winners": {"type": "list", "schema": {"type": "dict", "schema": {
        "rank": {"type": "integer"}, "ticket": {"type": "string"},
        "name": {"type": "string"}}}},
    "verified": {"type": "boolean", "required": True},
    "rule": {"type": "string", "required": True},
}


class GiftShareService(Component):
    """A shared lottery, known by its token: may I join (the seed's
    checkHasJoin), join, the result and its proof; the lotteries I
    joined."""

    _name = "mp.gift.share.service"
    _inherit = "mp.base.service"
    _usage = "gift_shares"
    _description = "Shared gift lotteries (抽奖): check, join, verify."
    _mp_get_methods = ("check", "verify", "joined")

    def check(self, token):
        return self._status(self._lottery(token), self.partner)

    def join(self, token, subscribe=None):
        """Join (free). The subscribe results the mini-program got from
        ``wx.requestSubscribeMessage`` for the result message are
        recorded first; the entry asks for the result if one was
        accepted."""
        lottery_id = self._lottery(token).id
        partner_id = self.partner.id
        if subscribe:
            self.env["mp.subscribe.consent"]._report(self.partner, subscribe)
        wants_result = "accept" in (subscribe or {}).values()

        def decide(env):
            # Its own READ COMMITTED transaction: a crowd queues on the
            # lottery's lock instead of replaying (see run_read_committed).
            # The answer is read there too: the request's snapshot is
            # older than the join.
            lottery = env["gift.lottery"].browse(lottery_id)
            partner = env["res.partner"].browse(partner_id)
            entry = lottery._join(partner)
            if wants_result:
                entry.sudo().notify = True
            return self._status(lottery, partner)
        return run_read_committed(self.env, decide)

    def verify(self, token):
        lottery = self._lottery(token)
        return dict(lottery._verify(), rule=_(
            "Each joiner's key is SHA-256 of '<seed>:<ticket>'; joiners "
            "are ranked by key, then ticket; the first N (items) win. The "
            "joiner list is the tickets in join order, one per line; its "
            "hash is SHA-256 of that text; the seed hash is SHA-256 of "
            "the seed."))

    def joined(self, page, size):
        entries, total = self._paginate(
            self.env["gift.lottery.entry"],
            [("partner_id", "=", self.partner.id)], page, size,
            order="id desc")
        return self._page(entries, total, page, size, lambda e: {
            "lottery": lottery_json(e.lottery_id, self.partner),
            "entry": entry_json(e),
        })

    def _lottery(self, token):
        lottery = self.env["gift.lottery"].search([
            ("share_token", "=", token),
            ("state", "in", ("open", "drawn", "done", "cancel"))])
        if not lottery:
            raise MpNotFound(_("Lottery not found."))
        return lottery

    @staticmethod
    def _status(lottery, partner):
        status, entry = lottery._status_for(partner)
        prize = lottery.env["gift.lottery.prize"].search([
            ("lottery_id", "=", lottery.id),
            ("partner_id", "=", partner.id)], limit=1)
        return {
            "status": status,
            "lottery": lottery_json(lottery, partner),
            "entry": entry_json(entry) if entry else None,
            "prize": prize_json(prize, partner) if prize else None,
        }

    def _validator_check(self):
        return {"token": TOKEN}

    def _validator_return_check(self):
        return CHECK_SCHEMA

    def _validator_join(self):
        return {"token": TOKEN, "subscribe": {
            "type": "dict", "nullable": True,
            "keysrules": {"type": "string", "maxlength": 64},
            "valuesrules": {"type": "string",
                            "allowed": ["accept", "reject", "ban"]}}}

    def _validator_return_join(self):
        return CHECK_SCHEMA

    def _validator_verify(self):
        return {"token": TOKEN}

    def _validator_return_verify(self):
        return VERIFY_SCHEMA

    def _validator_joined(self):
        return pagination_schema()

    def _validator_return_joined(self):
        return page_schema({
            "lottery": {"type": "dict", "schema": LOTTERY_SCHEMA},
            "entry": {"type": "dict", "schema": ENTRY_SCHEMA},
        })
