# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Splitting a pool among the winners, exactly, in integer fen.

Pure functions of their arguments (the random split draws from a
``random.Random`` seeded with the round's stored seed), so that an audit
recomputes the same allocation from the round's figures, its seed and
its winners in clock-in order.
"""
import hashlib
import random

#: Rounds of redistributing what the cap cut off before the rest is
#: handed out in one pass (always exact; the loop only spreads it).
CAP_ROUNDS = 20


def split_pool(pool_fen, winners, mode="random", cap_fen=0, seed=""):
    """``winners`` shares of ``pool_fen`` (a list, in clock-in order)
    that add up to ``pool_fen`` exactly.

    * ``equal``: ``pool // winners`` each; the remainder, one fen each,
      to the earliest clock-ins.
    * ``random`` (line cut): ``winners - 1`` distinct cut points drawn
      on ``1 .. pool - 1``; every winner gets at least one fen.
    * A pool smaller than the winners in fen cannot give each one fen:
      the earliest ``pool`` clock-ins get one fen each, the others none
      (in both modes).
    * ``cap_fen`` (random mode): no share above it; what it cuts off is
      handed again among those under it, so nothing is lost. A cap that
      cannot hold the pool (``cap * winners < pool``) is raised to the
      smallest that can.
    """
    if winners <= 0:
        return []
    if pool_fen <= 0:
        return [0] * winners
    if mode == "equal" or pool_fen <= winners:
        base, rest = divmod(pool_fen, winners)
        return [base + (1 if index < rest else 0)
                for index in range(winners)]
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, pool_fen), winners - 1))
    shares = [high - low for low, high in
              zip([0] + cuts, cuts + [pool_fen])]
    if cap_fen:
        cap = max(cap_fen, -(-pool_fen // winners))
        shares = apply_cap(shares, cap, rng)
    return shares


def apply_cap(shares, cap, rng):
    """``shares`` with none above ``cap`` and the same total: the excess
    is cut again at random among the shares under the cap, until it is
    all placed (then greedily, in a random order)."""
    shares = list(shares)
    excess = sum(share - cap for share in shares if share > cap)
    shares = [min(share, cap) for share in shares]
    for _round in range(CAP_ROUNDS):
        if not excess:
            return shares
        open_ = [index for index, share in enumerate(shares) if share < cap]
        cuts = sorted(rng.randint(0, excess) for _i in open_[1:])
        extras = [high - low for low, high in
                  zip([0] + cuts, cuts + [excess])]
        excess = 0
        for index, extra in zip(open_, extras):
            room = cap - shares[index]
            given = min(room, extra)
            shares[index] += given
            excess += extra - given
    open_ = [index for index, share in enumerate(shares) if share < cap]
    rng.shuffle(open_)
    for index in open_:
        if not excess:
            break
        given = min(cap - shares[index], excess)
        shares[index] += given
        excess -= given
    assert not excess, "the cap cannot hold the pool"
    return shares


def allocation_digest(round_id, seed, rows):
    """sha256 of the allocation table, in its canonical form.

    ``rows``: ``(entry_id, partner_id, share_fen, stake_fen)``; the text
    hashed is ``round:<id>;seed:<seed>`` then one line
    ``<entry_id>,<partner_id>,<share_fen>,<stake_fen>`` per row, ordered
    by entry id, each ended by a newline (UTF-8).
    """
    digest = hashlib.sha256(
        ("round:%d;seed:%s\n" % (round_id, seed or "")).encode("utf-8"))
    for row in sorted(rows):
        digest.update(("%d,%d,%d,%d\n" % tuple(row)).encode("utf-8"))
    return digest.hexdigest()


def fee_of(forfeited_fen, fee_percent):
    """The platform's fee on ``forfeited_fen``, rounded down to the fen
    (in the winners' favour); ``fee_percent`` has at most 2 decimals."""
    basis_points = int(round(fee_percent * 100))
    return forfeited_fen * basis_points // 10000
