# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
import os
import random
import time
import unittest

from ..models.clockin_round import to_utc
from ..split import allocation_digest, apply_cap, fee_of, split_pool


class TestSplit(unittest.TestCase):
    """The split's arithmetic, over many random sizes and seeds."""

    def test_every_split_adds_up_exactly(self):
        rng = random.Random(7)
        for case in range(2000):
            winners = rng.randint(1, 300)
            pool = rng.choice([0, rng.randint(0, winners * 2),
                               rng.randint(0, 100000)])
            cap = rng.choice([0, rng.randint(1, 500)])
            mode = rng.choice(["random", "equal"])
            shares = split_pool(pool, winners, mode, cap, "seed%d" % case)
            self.assertEqual(len(shares), winners)
            self.assertEqual(sum(shares), pool, (pool, winners, cap, mode))
            self.assertTrue(all(share >= 0 for share in shares))
            if pool >= winners:
                self.assertGreaterEqual(min(shares), 1)
            if cap and mode == "random":
                self.assertLessEqual(
                    max(shares), max(cap, -(-pool // winners)))

    def test_same_seed_same_split(self):
        first = split_pool(10000, 50, "random", 300, "abc")
        self.assertEqual(first, split_pool(10000, 50, "random", 300, "abc"))
        self.assertNotEqual(first,
                            split_pool(10000, 50, "random", 300, "abd"))

    def test_random_split_is_not_equal(self):
        shares = split_pool(100000, 100, "random", 0, "x")
        self.assertGreater(max(shares) - min(shares), 10)

    def test_equal_split_remainder_to_the_earliest(self):
        self.assertEqual(split_pool(10, 3, "equal"), [4, 3, 3])

    def test_pool_smaller_than_winners(self):
        for mode in ("random", "equal"):
            self.assertEqual(split_pool(2, 5, mode, 0, "s"),
                             [1, 1, 0, 0, 0])

    def test_cap_redistributes_everything(self):
        shares = apply_cap([500, 10, 10, 80], 200, random.Random(1))
        self.assertEqual(sum(shares), 600)
        self.assertEqual(max(shares), 200)

    def test_cap_below_the_average_is_raised(self):
        shares = split_pool(1000, 4, "random", 100, "s")
        self.assertEqual(shares, [250, 250, 250, 250])

    def test_fee_rounds_down(self):
        self.assertEqual(fee_of(999, 10.0), 99)
        self.assertEqual(fee_of(100, 2.5), 2)
        self.assertEqual(fee_of(100, 0.0), 0)

    def test_digest_is_canonical(self):
        rows = [(2, 20, 5, 100), (1, 10, 7, 100)]
        self.assertEqual(allocation_digest(1, "s", rows),
                         allocation_digest(1, "s", list(reversed(rows))))
        self.assertNotEqual(allocation_digest(1, "s", rows),
                            allocation_digest(1, "s", [(2, 20, 6, 100),
                                                       (1, 10, 6, 100)]))

    def test_windows_in_shanghai_whatever_the_server_zone(self):
        old = os.environ.get("TZ")
        try:
            for zone in ("UTC", "America/New_York", "Asia/Tokyo"):
                os.environ["TZ"] = zone
                time.tzset()
                self.assertEqual(
                    to_utc(datetime.date(2026, 3, 2), 5.0, "Asia/Shanghai"),
                    "2026-03-01 21:00:00")
                self.assertEqual(
                    to_utc(datetime.date(2026, 3, 2), 8 + 5 / 60.0,
                           "Asia/Shanghai"), "2026-03-02 00:05:00")
        finally:
            if old is None:
                os.environ.pop("TZ", None)
            else:
                os.environ["TZ"] = old
            time.tzset()
