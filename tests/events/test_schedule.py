"""The schedule: optimal (checked by brute force on small cases), nobody double-booked, pins kept, forbidden
pairs absent, absences respected, conflicts explained."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sentiers.events.schedule import ScheduleConflict, colour_edges, solve


def _check_valid(schedule, n_t, n_s, slots, k):
    seen = set()
    for m in schedule.meetings:
        assert 1 <= m.slot <= slots
        for who in (("t", m.territory), ("s", m.structure)):
            assert (who, m.slot) not in seen, f"{who} double-booked in slot {m.slot}"
            seen.add((who, m.slot))
    pairs = [(m.territory, m.structure) for m in schedule.meetings]
    assert len(pairs) == len(set(pairs)), "a pair meets twice"
    for i in range(n_t):
        assert sum(1 for m in schedule.meetings if m.territory == i) <= min(k, slots)
    for j in range(n_s):
        assert sum(1 for m in schedule.meetings if m.structure == j) <= min(k, slots)


def _brute_force(score, eligible, cap, pinned=()):
    """(max participants covered, then max total score) over every subset of eligible pairs."""
    edges = [tuple(e) for e in np.argwhere(eligible)]
    n_t, n_s = score.shape
    best = (-1, -1.0)
    for mask in range(1 << len(edges)):
        chosen = [edges[b] for b in range(len(edges)) if mask >> b & 1]
        if any(p not in chosen for p in pinned):
            continue
        deg_t = np.bincount([a for a, _ in chosen], minlength=n_t)
        deg_s = np.bincount([b for _, b in chosen], minlength=n_s)
        if (deg_t > cap).any() or (deg_s > cap).any():
            continue
        value = (int((deg_t > 0).sum() + (deg_s > 0).sum()), float(sum(score[a, b] for a, b in chosen)))
        if value > best:
            best = value
    return best


@pytest.mark.parametrize("seed", range(12))
def test_small_cases_are_optimal_by_brute_force(seed):
    rng = np.random.default_rng(seed)
    n_t, n_s = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    score = np.round(rng.uniform(0, 100, (n_t, n_s)), 1)
    compatible = rng.random((n_t, n_s)) < 0.6
    while compatible.sum() > 14:  # brute force stays under 2^14 subsets
        compatible[tuple(np.argwhere(compatible)[0])] = False
    slots, k = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    schedule = solve(score, compatible, slots=slots, max_meetings=k)
    _check_valid(schedule, n_t, n_s, slots, k)
    covered, total = _brute_force(score, compatible, min(k, slots))
    if covered <= 0:
        assert schedule.meetings == []
        return
    assert schedule.status == "optimal" and schedule.gap == 0.0
    assert schedule.covered == covered  # as many participants as possible get a meeting
    assert schedule.total_score == pytest.approx(total, abs=1e-6)  # then the greatest total fit


def test_coverage_comes_before_total_score():
    # one structure, two territories: the best total would give the structure to its favourite twice... it can't;
    # with K=1 for the structure, a territory stays alone; with two structures, everyone gets a meeting even if
    # that lowers the total score.
    score = np.array([[100.0, 90.0], [80.0, 1.0]])
    compatible = np.ones((2, 2), dtype=bool)
    schedule = solve(score, compatible, slots=1, max_meetings=1)
    assert {(m.territory, m.structure) for m in schedule.meetings} == {
        (0, 1),
        (1, 0),
    }  # 170 with everyone, not 101


def test_pins_kept_forbidden_absent_and_absences_respected():
    rng = np.random.default_rng(7)
    score = rng.uniform(0, 100, (12, 10))
    compatible = rng.random((12, 10)) < 0.5
    pinned = [(0, 0), (3, 4), (5, 9)]
    compatible[0, 0] = compatible[3, 4] = False  # pinned even without a shared défi
    best = solve(score, compatible, slots=4, max_meetings=3)
    forbidden = [(m.territory, m.structure) for m in best.meetings[:5]]
    schedule = solve(
        score,
        compatible,
        slots=4,
        max_meetings=3,
        pinned=pinned,
        forbidden=forbidden,
        absent_territories=[7],
        absent_structures=[2],
    )
    _check_valid(schedule, 12, 10, 4, 3)
    pairs = {(m.territory, m.structure) for m in schedule.meetings}
    assert set(pinned) <= pairs
    assert not pairs & set(forbidden)
    assert all(m.territory != 7 and m.structure != 2 for m in schedule.meetings)
    assert all(compatible[p] or p in pinned for p in pairs)


def test_impossible_pins_are_explained():
    score = np.full((3, 3), 50.0)
    compatible = np.ones((3, 3), dtype=bool)
    with pytest.raises(ScheduleConflict, match="absent"):
        solve(score, compatible, slots=2, max_meetings=2, pinned=[(0, 0)], absent_territories=[0])
    with pytest.raises(ScheduleConflict, match="3 rencontres imposées pour 2"):
        solve(score, compatible, slots=2, max_meetings=5, pinned=[(0, 0), (0, 1), (0, 2)])
    with pytest.raises(ScheduleConflict, match="interdite"):
        solve(score, compatible, slots=2, max_meetings=2, pinned=[(1, 1)], forbidden=[(1, 1)])


def test_nothing_compatible_gives_an_empty_schedule():
    schedule = solve(np.zeros((2, 2)), np.zeros((2, 2), dtype=bool), slots=2, max_meetings=2)
    assert schedule.meetings == [] and "Aucune rencontre possible" in schedule.quality()


@pytest.mark.parametrize("seed", range(20))
def test_edge_colouring_is_proper_and_balanced(seed):
    rng = np.random.default_rng(seed)
    colours = int(rng.integers(1, 7))
    n_left, n_right = int(rng.integers(1, 15)), int(rng.integers(1, 15))
    edges = []
    deg_l, deg_r = [0] * n_left, [0] * n_right
    for a, b in itertools.product(range(n_left), range(n_right)):
        if rng.random() < 0.5 and deg_l[a] < colours and deg_r[b] < colours:
            edges.append((a, b))
            deg_l[a] += 1
            deg_r[b] += 1
    colour = colour_edges(edges, colours)
    seen = set()
    for (a, b), c in zip(edges, colour, strict=True):
        assert 0 <= c < colours
        assert ("l", a, c) not in seen and ("r", b, c) not in seen
        seen |= {("l", a, c), ("r", b, c)}
    if edges:
        counts = np.bincount(colour, minlength=colours)
        assert counts.max() - counts.min() <= 1  # slots evened out


def test_a_larger_case_is_solved_fast_and_optimal():
    rng = np.random.default_rng(11)
    score = rng.uniform(0, 100, (80, 80))
    compatible = rng.random((80, 80)) < 0.3
    schedule = solve(score, compatible, slots=6, max_meetings=4)
    _check_valid(schedule, 80, 80, 6, 4)
    assert schedule.status == "optimal"
    assert schedule.seconds < 10
