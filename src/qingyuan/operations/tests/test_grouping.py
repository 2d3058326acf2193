"""Grouping proposals: 4–6 counties a group, adjacent where possible, balanced, deterministic."""

from qingyuan.operations.grouping import group_sizes, propose_groups

from .conftest import BORDERS

CODES = sorted({c for pair in BORDERS for c in pair})


def _connected(group, borders):
    group = set(group)
    seen, todo = set(), [min(group)]
    while todo:
        c = todo.pop()
        if c in seen:
            continue
        seen.add(c)
        todo += [b for a, b in borders if a == c and b in group] + [
            a for a, b in borders if b == c and a in group
        ]
    return seen == group


def test_eight_counties_make_two_connected_groups_of_four():
    workload = {c: i for i, c in enumerate(CODES)}
    groups = propose_groups(CODES, BORDERS, workload)
    assert [len(g) for g in groups] == [4, 4]
    assert sorted(c for g in groups for c in g) == CODES
    assert all(_connected(g, BORDERS) for g in groups)


def test_proposal_is_deterministic_and_accepts_either_adjacency_form():
    mapping = {}
    for a, b in BORDERS:
        mapping.setdefault(a, set()).add(b)
    first = propose_groups(CODES, BORDERS, {"320506": 5})
    assert propose_groups(list(reversed(CODES)), mapping, {"320506": 5}) == first


def test_fewer_than_four_counties_form_one_group():
    assert propose_groups(["320506", "320507", "320508"], [], {}) == [["320506", "320507", "320508"]]
    assert propose_groups([], [], {}) == []


def test_group_sizes_stay_within_four_to_six():
    for n in range(8, 40):
        assert all(4 <= s <= 6 for s in group_sizes(n)), n
    assert group_sizes(6) == [6]
    assert group_sizes(7) == [4, 3]  # the one count that cannot be split into 4–6


def test_workload_is_balanced_without_adjacency():
    codes = [f"3205{i:02d}" for i in range(1, 9)]
    workload = {c: (10 if i < 2 else 1) for i, c in enumerate(codes)}
    groups = propose_groups(codes, [], workload)
    loads = [sum(workload[c] for c in g) for g in groups]
    assert loads == [13, 13]
