# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base_wechat_miniprogram.exceptions import MpConflict
from odoo.addons.payment_wechatpay.tools import lock_row, process_each


class GiftLotteryPrize(models.Model):
    """One item of a lottery, won by a joiner: claimed with an address
    before its deadline, shipped as a delivery order with tracking; or,
    unclaimed, passed to the next joiner in the ranking or returned to
    the buyer (the lottery's choice)."""

    _name = "gift.lottery.prize"
    _description = "Gift Lottery Prize"
    _inherit = ["mail.thread"]
    _order = "id desc"

    lottery_id = fields.Many2one(
        "gift.lottery", string="Lottery", required=True, readonly=True,
        ondelete="cascade", index=True)
    company_id = fields.Many2one(
        related="lottery_id.company_id", store=True, readonly=True)
    product_id = fields.Many2one(
        related="lottery_id.product_id", store=True, readonly=True)
    entry_id = fields.Many2one(
        "gift.lottery.entry", string="Winner's Entry", required=True,
        readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Winner", required=True, readonly=True,
        index=True)
    state = fields.Selection([
        ("to_claim", "To Claim"),
        ("claimed", "To Ship"),
        ("shipped", "Shipped"),
        ("returned", "Returned to the Buyer"),
    ], default="to_claim", required=True, readonly=True, index=True,
        track_visibility="onchange")
    claim_deadline = fields.Datetime(required=True, readonly=True)
    claimed_at = fields.Datetime(readonly=True)
    address_id = fields.Many2one(
        "res.partner", string="Ship To", readonly=True)
    picking_id = fields.Many2one(
        "stock.picking", string="Delivery Order", readonly=True)
    carrier = fields.Char(string="Carrier")
    tracking_ref = fields.Char(string="Tracking Number")
    shipped_at = fields.Datetime(readonly=True)
    passed_count = fields.Integer(
        string="Times Passed On", readonly=True, default=0)

    # -- winning ---------------------------------------------------------

    @api.model
    def _award(self, entries):
        """New prizes held by the winning ``entries`` (of one lottery).

        Without chatter (a draw makes many; the lottery's chatter and the
        prize's state say it all) and with the lottery's claim figures
        computed once at the end, not after each prize.
        """
        prizes = self.browse()
        if not entries:
            return prizes
        deadline = self._deadline(entries[0].lottery_id)
        quiet = self.with_context(
            tracking_disable=True, mail_create_nolog=True,
            mail_create_nosubscribe=True)
        with self.env.norecompute():
            for entry in entries:
                prizes |= quiet.create({
                    "lottery_id": entry.lottery_id.id,
                    "entry_id": entry.id,
                    "partner_id": entry.partner_id.id,
                    "claim_deadline": deadline,
                })
        self.recompute()
        return prizes.with_env(self.env)

    @api.model
    def _deadline(self, lottery):
        return fields.Datetime.to_string(
            datetime.datetime.utcnow() +
            datetime.timedelta(days=lottery.claim_days or 7))

    # -- claiming --------------------------------------------------------

    @api.multi
    def _claim(self, partner, address_values):
        """The winner gives the address to ship to (a delivery contact of
        theirs); a delivery order follows. Once only, before the
        deadline."""
        self.ensure_one()
        lock_row(self.env.cr, self._table, self.id)
        self.invalidate_cache()
        if self.partner_id != partner:
            raise MpConflict(_("This prize is not yours."), "not_yours")
        if self.state != "to_claim":
            raise MpConflict(_("This prize has been claimed already."),
                             "already_claimed")
        if self.claim_deadline <= fields.Datetime.now():
            raise MpConflict(_("The time to claim this prize is over."),
                             "claim_expired")
        address = partner._mp_add_delivery_address(address_values)
        # The delivery is the warehouse's document; the winner's claim
        # was checked above.
        prize = self.sudo()
        prize.write({"state": "claimed", "address_id": address.id,
                     "claimed_at": fields.Datetime.now()})
        prize.picking_id = prize._make_picking()
        return self

    @api.multi
    def _make_picking(self):
        self.ensure_one()
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_id.id)], limit=1)
        picking_type = warehouse.out_type_id
        source = picking_type.default_location_src_id
        destination = self.env.ref("stock.stock_location_customers")
        picking = self.env["stock.picking"].create({
            "partner_id": self.address_id.id,
            "picking_type_id": picking_type.id,
            "location_id": source.id,
            "location_dest_id": destination.id,
            "origin": self.lottery_id.name,
            "company_id": self.company_id.id,
            "move_lines": [(0, 0, {
                "name": self.product_id.display_name,
                "product_id": self.product_id.id,
                "product_uom": self.product_id.uom_id.id,
                "product_uom_qty": 1.0,
                "location_id": source.id,
                "location_dest_id": destination.id,
            })],
        })
        picking.action_confirm()
        return picking

    @api.multi
    def action_ship(self):
        """Staff hand the parcel to the carrier: the delivery order is
        done and the winner told the tracking number."""
        for prize in self:
            if prize.state != "claimed":
                raise UserError(_("Only claimed prizes can be shipped."))
            if not prize.tracking_ref:
                raise UserError(_("Enter the tracking number first."))
            picking = prize.picking_id
            if picking and picking.state not in ("done", "cancel"):
                for move in picking.move_lines:
                    move.quantity_done = move.product_uom_qty
                picking.action_done()
            prize.write({"state": "shipped",
                         "shipped_at": fields.Datetime.now()})
            prize.lottery_id._notify(
                prize.partner_id, "gift_shipped", _("Shipped"),
                "%s %s" % (prize.carrier or "", prize.tracking_ref))
            prize.lottery_id._close_if_settled()
        return True

    # -- unclaimed -------------------------------------------------------

    @api.multi
    def _lapse(self):
        """The claim deadline passed: the prize goes to the best-ranked
        joiner who has not won, or back to the buyer."""
        self.ensure_one()
        lottery = self.lottery_id
        lock_row(self.env.cr, lottery._table, lottery.id)
        self.invalidate_cache()
        if self.state != "to_claim" or \
                self.claim_deadline > fields.Datetime.now():
            return False
        self.entry_id.state = "lapsed"
        successor = self.env["gift.lottery.entry"]
        if lottery.unclaimed == "next":
            successor = successor.search([
                ("lottery_id", "=", lottery.id), ("state", "=", "lost"),
                ("rank", ">", 0)], order="rank", limit=1)
        if successor:
            successor.state = "won"
            self.write({
                "entry_id": successor.id,
                "partner_id": successor.partner_id.id,
                "claim_deadline": self._deadline(lottery),
                "passed_count": self.passed_count + 1,
            })
            lottery._notify(successor.partner_id, "gift_won", _("Won"),
                            _("Passed on to you"))
            return True
        self.state = "returned"
        lottery.given_count -= 1
        lottery._return_items(1, _("Prize not claimed"))
        return True

    @api.model
    def _cron_lapse(self, limit=200, auto_commit=True):
        """Prizes past their claim deadline, a bounded batch, each in its
        own transaction."""
        prizes = self.search([
            ("state", "=", "to_claim"),
            ("claim_deadline", "<=", fields.Datetime.now())],
            limit=limit, order="claim_deadline")
        process_each(prizes, lambda prize: prize._lapse(),
                     auto_commit=auto_commit)
        return len(prizes)
