"""Proposing groups of counties for a joint operation (seed 001: 每组4-6个区县)."""

import math
from collections.abc import Iterable, Mapping

MIN_SIZE, MAX_SIZE = 4, 6


def _code(county) -> str:
    return getattr(county, "code", county)


def _neighbours(adjacency) -> dict[str, set[str]]:
    """Accepts a mapping code → codes, or pairs of codes / Regions, or RegionAdjacency rows."""
    result: dict[str, set[str]] = {}
    if isinstance(adjacency, Mapping):
        pairs = [(a, b) for a, bs in adjacency.items() for b in bs]
    else:
        pairs = []
        for entry in adjacency:
            if hasattr(entry, "a_id"):
                pairs.append((entry.a_id, entry.b_id))
            else:
                a, b = tuple(entry)
                pairs.append((_code(a), _code(b)))
    for a, b in pairs:
        a, b = _code(a), _code(b)
        if a != b:
            result.setdefault(a, set()).add(b)
            result.setdefault(b, set()).add(a)
    return result


def group_sizes(n: int) -> list[int]:
    """As few groups as keep each at most 6, sizes as even as possible (largest first)."""
    if n <= 0:
        return []
    if n < MIN_SIZE:
        return [n]
    k = math.ceil(n / MAX_SIZE)
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def propose_groups(counties: Iterable, adjacency, workload: Mapping[str, int]) -> list[list]:
    """Split counties into groups of 4–6, adjacent where possible, balancing workload.

    Deterministic greedy algorithm (the city edits the proposal afterwards):
    1. Sizes: k = ceil(n / 6) groups, sizes as even as possible. Fewer than 4 counties make one
       group. Only n = 7 cannot be split into groups of 4–6; it gives 4 + 3.
    2. Each group starts from a seed: among the counties not yet grouped, the one with the fewest
       ungrouped neighbours (the edge of the map, so the middle is not cut off and left as
       scattered remnants), then the highest workload, then the smallest code.
    3. The group grows one county at a time until it reaches its size. Candidates adjacent to a
       member come first; among them, the one that brings the group's workload closest to its fair
       share (total workload × size / n, pro rata to members so far); ties by the smallest code.
       With no adjacent county left, the same rule picks among all ungrouped counties.
    `workload` maps a county code to its number of sites needing joint action (missing: 0).
    Returns lists of the given county objects, groups in the order built, members in code order.
    """
    items = sorted(counties, key=_code)
    codes = {_code(c): c for c in items}
    neighbours = _neighbours(adjacency)
    load = {c: int(workload.get(c, 0) or 0) for c in codes}
    total = sum(load.values())
    remaining = set(codes)
    groups = []
    for size in group_sizes(len(items)):
        seed = min(
            remaining,
            key=lambda c: (len(neighbours.get(c, set()) & remaining), -load[c], c),
        )
        group, group_load = [seed], load[seed]
        remaining.discard(seed)
        share_per_member = total / len(items) if items else 0
        while len(group) < size and remaining:
            adjacent = {n for m in group for n in neighbours.get(m, set())} & remaining
            pool = adjacent or remaining
            goal = share_per_member * (len(group) + 1)
            pick = min(pool, key=lambda c: (abs(group_load + load[c] - goal), c))
            group.append(pick)
            group_load += load[pick]
            remaining.discard(pick)
        groups.append([codes[c] for c in sorted(group)])
    return groups
