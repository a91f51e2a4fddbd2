# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo.exceptions import UserError

from .common import ClockinCase


class TestSettlement(ClockinCase):

    def allocations(self, rnd=None):
        return (rnd or self.round).allocation_ids.sorted("rank")

    def test_missed_stakes_split_among_the_winners_less_the_fee(self):
        self.round.write({"fee_percent": 10.0})
        entries = self.entrants(10, clocked=6)
        rnd = self.settle()
        self.assertEqual((rnd.state, rnd.outcome), ("settled", "split"))
        self.assertEqual((rnd.participant_count, rnd.winner_count),
                         (10, 6))
        self.assertEqual(rnd.forfeited_fen, 400)
        self.assertEqual(rnd.fee_fen, 40)
        self.assertEqual(rnd.pool_fen, 360)
        self.assertAlmostEqual(rnd.success_rate, 60.0)
        allocations = self.allocations()
        self.assertEqual(len(allocations), 6)
        self.assertEqual(sum(allocations.mapped("share_fen")), 360)
        self.assertTrue(all(a.share_fen >= 1 and a.stake_fen == 100 and
                            a.amount_fen == a.share_fen + 100
                            for a in allocations))
        self.assertEqual(allocations.mapped("entry_id"), entries[:6])
        self.assertEqual(set(entries[6:].mapped("state")), {"missed"})
        self.assertEqual(len(rnd.allocation_hash), 64)
        self.assertEqual(rnd._audit(), [])
        # The books: stakes held -1000 +1000, fee income 40, prizes 960.
        move = rnd.move_id
        self.assertEqual(move.state, "posted")
        by_account = {line.account_id: line.credit - line.debit
                      for line in move.line_ids}
        self.assertEqual(by_account[self.company.clockin_fee_account_id],
                         0.4)
        self.assertEqual(by_account[self.company.clockin_prize_account_id],
                         9.6)
        self.assertEqual(by_account[self.company.clockin_stake_account_id],
                         -10.0)
        self.assertFalse(self.unbalanced_moves())

    def test_settling_twice_changes_nothing(self):
        self.entrants(8, clocked=3)
        rnd = self.settle()
        before = (rnd.allocation_hash, rnd.move_id,
                  self.allocations().mapped("share_fen"))
        rnd._settle(auto_commit=False)
        self.assertEqual(self.Round._cron_settle(auto_commit=False), 0)
        rnd.invalidate_cache()
        self.assertEqual((rnd.allocation_hash, rnd.move_id,
                          self.allocations().mapped("share_fen")), before)

    def test_a_settlement_stopped_midway_resumes_without_doubles(self):
        self.round.write({"cap_fen": 150})
        self.entrants(30, clocked=12)
        self.after_window()
        rnd = self.round
        rnd._settle_begin()
        self.assertFalse(rnd._allocate_batch(5))  # then "crashed"
        self.assertEqual(len(rnd.allocation_ids), 5)
        rnd._settle(batch=4, auto_commit=False)
        rnd.invalidate_cache()
        self.assertEqual(rnd.state, "settled")
        self.assertEqual(len(rnd.allocation_ids), 12)
        self.assertEqual(sum(rnd.allocation_ids.mapped("share_fen")), 1800)
        self.assertLessEqual(max(rnd.allocation_ids.mapped("share_fen")),
                             150)
        self.assertEqual(rnd._audit(), [])

    def test_a_tampered_allocation_fails_the_audit(self):
        self.entrants(5, clocked=2)
        rnd = self.settle()
        self.env.cr.execute(
            "UPDATE clockin_allocation SET share_fen = share_fen + 1,"
            " amount_fen = amount_fen + 1 WHERE id = %s",
            [rnd.allocation_ids[0].id])
        self.assertEqual(rnd._audit(), ["hash", "allocation"])
        rnd.action_audit()
        self.assertIn("hash", rnd.audit_note)

    def test_nobody_missed_stakes_come_back_in_the_envelopes(self):
        self.entrants(4, clocked=4)
        rnd = self.settle()
        self.assertEqual(rnd.outcome, "all_made_it")
        self.assertEqual(self.allocations().mapped("amount_fen"),
                         [100] * 4)
        self.assertEqual(self.allocations().mapped("share_fen"), [0] * 4)
        self.assertFalse(rnd.fee_fen)

    def test_nobody_made_it_refund(self):
        entries = self.entrants(3, clocked=0)
        rnd = self.settle()
        self.assertEqual((rnd.outcome, rnd.rollover_out_fen),
                         ("refunded", 0))
        self.assertFalse(rnd.allocation_ids)
        self.assertFalse(rnd.move_id)
        self.assertEqual(set(entries.mapped("state")), {"refund_due"})

    def test_nobody_made_it_rollover_feeds_the_next_pool(self):
        self.round.write({"nobody_policy": "rollover"})
        self.entrants(3, clocked=0)
        rnd = self.settle()
        self.assertEqual((rnd.outcome, rnd.rollover_out_fen),
                         ("rolled_over", 300))
        tomorrow = self.Round._ensure(
            self.company, self.today + datetime.timedelta(days=1))
        self.assertEqual(tomorrow.rollover_in_fen, 300)
        self.entrants(4, clocked=2, rnd=tomorrow)
        tomorrow.write({"fee_percent": 50.0})
        self.settle(tomorrow)
        # (2 missed x 100 + 300 rolled in) = 500, half to the fee.
        self.assertEqual((tomorrow.fee_fen, tomorrow.pool_fen), (250, 250))
        self.assertEqual(
            sum(tomorrow.allocation_ids.mapped("amount_fen")), 450)
        prizes = self.company.clockin_prize_account_id
        owed = sum(self.env["account.move.line"].search([
            ("account_id", "=", prizes.id),
            ("move_id", "in", (rnd.move_id | tomorrow.move_id).ids)])
            .mapped(lambda line: line.credit - line.debit))
        self.assertAlmostEqual(owed, 4.5)
        self.assertFalse(self.unbalanced_moves())

    def test_pool_smaller_than_the_winners_first_clock_ins_get_a_fen(self):
        self.round.write({"stake_fen": 1})
        self.entrants(7, clocked=5, stake=1)
        rnd = self.settle()
        self.assertEqual(rnd.pool_fen, 2)
        self.assertEqual(self.allocations().mapped("share_fen"),
                         [1, 1, 0, 0, 0])

    def test_equal_split(self):
        self.round.write({"split_mode": "equal"})
        self.entrants(6, clocked=4)
        self.settle()
        self.assertEqual(self.allocations().mapped("share_fen"),
                         [50, 50, 50, 50])

    def test_not_before_the_settlement_time(self):
        self.entrants(2, clocked=1)
        self.in_window()
        with self.assertRaises(UserError):
            self.round._settle(auto_commit=False)
        self.assertEqual(self.Round._cron_settle(auto_commit=False), 0)

    def test_rounds_are_created_ahead_once(self):
        mine = (lambda rounds: rounds.filtered(
            lambda r: r.company_id == self.company))
        made = mine(self.Round._cron_create_rounds())
        again = mine(self.Round._cron_create_rounds())
        self.assertEqual(made, again)
        self.assertEqual(len(made), self.company.clockin_days_ahead + 1)
        tomorrow = made.filtered(lambda r: r.day == str(
            self.today + datetime.timedelta(days=1)))
        self.assertEqual(tomorrow.window_start[11:16], "21:00")  # 05:00+8
        self.assertEqual(tomorrow.settle_at[11:16], "00:05")
