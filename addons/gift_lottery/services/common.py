# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Serialisation shared by the gift services."""
import datetime

from odoo import _

from odoo.addons.base_wechat_miniprogram.exceptions import MpBadRequest

ISO_REGEX = r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?(\.\d+)?([+-]\d\d:\d\d|Z)$"

GIFT_SCHEMA = {
    "id": {"type": "integer", "required": True},
    "name": {"type": "string", "required": True},
    "price_fen": {"type": "integer", "required": True},
    "category_id": {"type": "integer", "nullable": True},
    "image_url": {"type": "string", "required": True},
    "description": {"type": "string", "required": True},
}
LOTTERY_SCHEMA = {
    "id": {"type": "integer"},
    "token": {"type": "string", "required": True},
    "reference": {"type": "string", "nullable": True},
    "state": {"type": "string", "required": True},
    "gift": {"type": "dict", "schema": GIFT_SCHEMA},
    "quantity": {"type": "integer", "required": True},
    "wish": {"type": "string", "required": True},
    "method": {"type": "string", "required": True},
    "draw_at": {"type": "string", "nullable": True},
    "full_count": {"type": "integer", "nullable": True},
    "deadline": {"type": "string", "nullable": True},
    "join_count": {"type": "integer", "required": True},
    "items_left": {"type": "integer", "required": True},
    "seed_hash": {"type": "string", "required": True},
    "buyer": {"type": "dict", "schema": {
        "name": {"type": "string"}, "avatar_url": {"type": "string"}}},
}
PRIZE_SCHEMA = {
    "id": {"type": "integer", "required": True},
    "token": {"type": "string", "required": True},
    "gift": {"type": "dict", "schema": GIFT_SCHEMA},
    "state": {"type": "string", "required": True},
    "claim_deadline": {"type": "string", "nullable": True},
    "address": {"type": "string", "nullable": True},
    "carrier": {"type": "string", "nullable": True},
    "tracking_ref": {"type": "string", "nullable": True},
}
ENTRY_SCHEMA = {
    "ticket": {"type": "string", "required": True},
    "sequence": {"type": "integer", "required": True},
    "state": {"type": "string", "required": True},
    "rank": {"type": "integer", "nullable": True},
}


def gift_json(product):
    return {
        "id": product.id, "name": product.name,
        "price_fen": int(round(product.list_price * 100)),
        "category_id": product.gift_category_id.id or None,
        "image_url": "/web/image/product.product/%d/image_medium"
                     % product.id,
        "description": product.description_sale or "",
    }


def lottery_json(lottery, partner):
    """A lottery as joiners see it (no id: they know it by its token)."""
    iso = partner._mp_iso
    buyer = lottery.partner_id
    return {
        "token": lottery.share_token,
        "reference": lottery.name,
        "state": lottery.state,
        "gift": gift_json(lottery.product_id),
        "quantity": lottery.quantity,
        "wish": lottery.wish or "",
        "method": lottery.method,
        "draw_at": iso(lottery.draw_at),
        "full_count": lottery.full_count or None,
        "deadline": iso(lottery.deadline),
        "join_count": lottery.join_count,
        "items_left": lottery._items_left(),
        "seed_hash": lottery.seed_hash,
        "buyer": {"name": buyer.mp_nickname or buyer.name,
                  "avatar_url": buyer.mp_avatar_url or ""},
    }


def entry_json(entry):
    return {"ticket": entry.ticket, "sequence": entry.sequence,
            "state": entry.state, "rank": entry.rank or None}


def prize_json(prize, partner):
    address = prize.address_id
    return {
        "id": prize.id,
        "token": prize.lottery_id.share_token,
        "gift": gift_json(prize.product_id),
        "state": prize.state,
        "claim_deadline": partner._mp_iso(prize.claim_deadline)
        if prize.state == "to_claim" else None,
        "address": address and ", ".join(filter(None, [
            address.name, address.phone, address.state_id.name or
            address.comment, address.city, address.street2,
            address.street])) or None,
        "carrier": prize.carrier or None,
        "tracking_ref": prize.tracking_ref or None,
    }


def parse_iso(value, name):
    """An ISO 8601 time with offset as a naive UTC datetime."""
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MpBadRequest(_("%s is not a valid time.") % name,
                           "invalid_%s" % name)
    if moment.tzinfo is None:
        raise MpBadRequest(_("%s needs a time zone offset.") % name,
                           "invalid_%s" % name)
    return moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
