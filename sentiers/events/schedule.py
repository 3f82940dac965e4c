"""The schedule of an event: which pairs meet (an optimisation solved by HiGHS) and in which slot.

The model (see docs/architecture.md, « Rencontres : le modèle ») — participants p (territories and structures),
candidate pairs e = (t, s): compatible pairs (a shared défi) and pinned pairs, minus forbidden pairs and pairs
with an absent participant; w_e the pair's score (0-100); N slots, K meetings per participant at most.

    x_e ∈ {0, 1}    the pair meets;        y_p ∈ [0, 1]    p has at least one meeting
    Σ_{e ∋ p} x_e ≤ min(K, N)               for every participant p
    y_p ≤ Σ_{e ∋ p} x_e                     for every participant p
    x_e = 1                                 for every pinned pair e

    stage 1:  C* = max Σ_p y_p              (as many participants as possible get a meeting)
    stage 2:  max Σ_e w_e · x_e   s.t.  Σ_p y_p ≥ C*     (then the greatest total fit)

The objective is lexicographic, solved as two MIPs with HiGHS (exact: relative gap 0 unless the time limit
stops it, in which case the gap HiGHS proves is reported). Placing the chosen meetings in slots needs no
second optimisation: the pairs form a bipartite graph whose degree is at most min(K, N), and by König's
edge-colouring theorem such a graph can always be coloured with N colours, each colour a slot in which nobody
meets twice. The colouring is computed exactly (alternating paths), so the two steps together solve the whole
problem: nobody is double-booked, and the choice of pairs is optimal.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from sentiers import fr
from sentiers.errors import SentiersError

log = logging.getLogger(__name__)

TIME_LIMIT_S = 20.0
_HIGHS_LOCK = threading.Lock()
_BANNER_DONE = False


class ScheduleConflict(SentiersError):
    """Pins that cannot all hold (an absent participant, more pins than meetings allowed)."""


@dataclass(frozen=True)
class Meeting:
    slot: int  # 1-based
    territory: int  # index in the territories' list
    structure: int  # index in the structures' list
    score: float


@dataclass
class Schedule:
    """The meetings chosen and placed, and how good the choice is."""

    meetings: list[Meeting]
    slots: int
    max_meetings: int
    status: str  # "optimal" | "limite de temps" | "vide"
    gap: float  # relative MIP gap proven by HiGHS (0 when optimal)
    covered: int  # participants with at least one meeting
    coverable: int  # participants with at least one candidate pair
    total_score: float
    candidates: int  # candidate pairs given to the solver
    seconds: float
    pinned: list[tuple[int, int]] = field(default_factory=list)

    def by_territory(self, i: int) -> list[Meeting]:
        return sorted((m for m in self.meetings if m.territory == i), key=lambda m: m.slot)

    def by_structure(self, j: int) -> list[Meeting]:
        return sorted((m for m in self.meetings if m.structure == j), key=lambda m: m.slot)

    def quality(self) -> str:
        """One French sentence: optimal or within which gap, found in how long."""
        if self.status == "vide":
            return "Aucune rencontre possible : aucun couple compatible (défi commun) ni imposé."
        head = (
            "Planning optimal"
            if self.status == "optimal"
            else f"Planning à {fr.number(100 * self.gap, 2, '%')} au plus de l'optimum (limite de temps atteinte)"
        )
        return (
            f"{head} : {fr.plural(len(self.meetings), 'rencontre')}, {self.covered} participants sur "
            f"{self.coverable} qui pouvaient en avoir une ont au moins une rencontre ; calculé en "
            f"{fr.number(self.seconds, 1)} s (HiGHS)."
        )


def _highs():
    """A HiGHS instance, silent. HiGHS prints a banner on stdout the first time one is built in a process:
    it is sent to /dev/null once (a JSON on stdout stays JSON)."""
    global _BANNER_DONE
    import highspy

    with _HIGHS_LOCK:
        if not _BANNER_DONE:
            with contextlib.suppress(Exception):
                sys.stdout.flush()
            try:
                saved = os.dup(1)
            except OSError:
                saved = -1
            try:
                if saved >= 0:
                    devnull = os.open(os.devnull, os.O_WRONLY)
                    os.dup2(devnull, 1)
                    os.close(devnull)
                h = highspy.Highs()
            finally:
                if saved >= 0:
                    os.dup2(saved, 1)
                    os.close(saved)
            _BANNER_DONE = True
        else:
            h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    return h


def solve(
    score: np.ndarray,
    compatible: np.ndarray,
    *,
    slots: int,
    max_meetings: int,
    pinned: Iterable[tuple[int, int]] = (),
    forbidden: Iterable[tuple[int, int]] = (),
    absent_territories: Iterable[int] = (),
    absent_structures: Iterable[int] = (),
    min_score: float = 0.0,
    time_limit: float = TIME_LIMIT_S,
    territory_names: list[str] | None = None,
    structure_names: list[str] | None = None,
) -> Schedule:
    """The optimal schedule (see the module docstring). ``score``/``compatible``: T × S matrices."""
    import highspy

    started = time.perf_counter()
    if slots < 1:
        raise SentiersError("Il faut au moins un créneau.")
    if max_meetings < 1:
        raise SentiersError("Il faut au moins une rencontre par participant.")
    n_t, n_s = score.shape
    cap = min(int(max_meetings), int(slots))
    pins = sorted(set(pinned))
    forbid = set(forbidden)
    gone_t, gone_s = set(absent_territories), set(absent_structures)
    t_names = territory_names or [f"territoire {i + 1}" for i in range(n_t)]
    s_names = structure_names or [f"structure {j + 1}" for j in range(n_s)]
    problems: list[str] = []
    for i, j in pins:
        if not (0 <= i < n_t and 0 <= j < n_s):
            raise SentiersError("Rencontre imposée hors des listes.")
        if (i, j) in forbid:
            problems.append(f"{t_names[i]} — {s_names[j]} est à la fois imposée et interdite")
        if i in gone_t or j in gone_s:
            who = t_names[i] if i in gone_t else s_names[j]
            problems.append(f"la rencontre imposée {t_names[i]} — {s_names[j]} concerne {who}, marqué absent")
    for names, side in ((t_names, 0), (s_names, 1)):
        counts: dict[int, int] = {}
        for pin in pins:
            counts[pin[side]] = counts.get(pin[side], 0) + 1
        for person, count in counts.items():
            if count > cap:
                problems.append(f"{names[person]} a {count} rencontres imposées pour {cap} possibles")
    if problems:
        raise ScheduleConflict("Rencontres imposées impossibles : " + " ; ".join(problems[:5]) + ".")

    eligible = compatible & (score >= min_score)
    if gone_t:
        eligible[sorted(gone_t), :] = False
    if gone_s:
        eligible[:, sorted(gone_s)] = False
    for i, j in forbid:
        if 0 <= i < n_t and 0 <= j < n_s:
            eligible[i, j] = False
    for i, j in pins:
        eligible[i, j] = True
    ti, sj = np.nonzero(eligible)
    n_e = len(ti)
    if n_e == 0:
        return Schedule(
            [], slots, max_meetings, "vide", 0.0, 0, 0, 0.0, 0, time.perf_counter() - started, pins
        )

    # participants with a candidate pair: territories 0..n_t-1, structures n_t..n_t+n_s-1
    part = np.concatenate([ti, n_t + sj])
    used = np.unique(part)
    pos = {int(p): k for k, p in enumerate(used)}
    n_p = len(used)
    weights = score[ti, sj].astype(float)
    pin_set = set(pins)
    lower = np.array([1.0 if (int(a), int(b)) in pin_set else 0.0 for a, b in zip(ti, sj, strict=True)])

    h = _highs()
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1e-6)
    h.setOptionValue("random_seed", 0)
    h.addVars(n_e, lower, np.ones(n_e))
    h.addVars(n_p, np.zeros(n_p), np.ones(n_p))
    h.changeColsIntegrality(n_e, np.arange(n_e, dtype=np.int32), np.full(n_e, 1, dtype=np.uint8))
    # rows per participant: degree (x only) and coverage link (y - x <= 0)
    incident: list[list[int]] = [[] for _ in range(n_p)]
    for e, (a, b) in enumerate(zip(ti, sj, strict=True)):
        incident[pos[int(a)]].append(e)
        incident[pos[int(n_t + b)]].append(e)
    starts: list[int] = []
    index: list[int] = []
    value: list[float] = []
    for k in range(n_p):
        starts.append(len(index))
        index += incident[k]
        value += [1.0] * len(incident[k])
    h.addRows(
        n_p,
        np.full(n_p, -np.inf),
        np.full(n_p, float(cap)),
        len(index),
        np.array(starts, dtype=np.int32),
        np.array(index, dtype=np.int32),
        np.array(value),
    )
    starts, index, value = [], [], []
    for k in range(n_p):
        starts.append(len(index))
        index += [n_e + k, *incident[k]]
        value += [1.0] + [-1.0] * len(incident[k])
    h.addRows(
        n_p,
        np.full(n_p, -np.inf),
        np.zeros(n_p),
        len(index),
        np.array(starts, dtype=np.int32),
        np.array(index, dtype=np.int32),
        np.array(value),
    )
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)

    # stage 1: coverage
    all_cols = np.arange(n_e + n_p, dtype=np.int32)
    h.changeColsCost(n_e + n_p, all_cols, np.concatenate([np.zeros(n_e), np.ones(n_p)]))
    gap1 = _run(h, started, time_limit)
    covered_best = int(round(h.getInfo().objective_function_value))
    # stage 2: total fit, coverage kept
    h.addRow(
        float(covered_best) - 0.5,
        np.inf,
        n_p,
        np.arange(n_e, n_e + n_p, dtype=np.int32),
        np.ones(n_p),
    )
    h.changeColsCost(n_e + n_p, all_cols, np.concatenate([weights, np.zeros(n_p)]))
    h.setOptionValue("time_limit", max(1.0, float(time_limit) - (time.perf_counter() - started)))
    gap2 = _run(h, started, time_limit)
    x = np.asarray(h.getSolution().col_value[:n_e]) > 0.5
    gap = max(gap1, gap2)
    chosen = [(int(ti[e]), int(sj[e]), float(weights[e])) for e in np.nonzero(x)[0]]
    colours = colour_edges([(a, b) for a, b, _ in chosen], slots)
    meetings = sorted(
        (Meeting(colours[k] + 1, a, b, w) for k, (a, b, w) in enumerate(chosen)),
        key=lambda m: (m.slot, m.territory, m.structure),
    )
    covered = len({m.territory for m in meetings}) + len({m.structure for m in meetings})
    return Schedule(
        meetings=meetings,
        slots=slots,
        max_meetings=max_meetings,
        status="optimal" if gap <= 1e-9 else "limite de temps",
        gap=gap,
        covered=covered,
        coverable=n_p,
        total_score=float(sum(w for _, _, w in chosen)),
        candidates=n_e,
        seconds=time.perf_counter() - started,
        pinned=pins,
    )


def _run(h, started: float, time_limit: float) -> float:
    """Solve; the proven relative gap (0 when optimal). A model without a solution is a French error."""
    import highspy

    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return 0.0
    info = h.getInfo()
    if status == highspy.HighsModelStatus.kTimeLimit and info.primal_solution_status == 2:
        gap = float(info.mip_gap)
        log.warning("schedule stopped at the time limit, gap %.4f", gap)
        return gap if np.isfinite(gap) else 1.0
    if status == highspy.HighsModelStatus.kInfeasible:
        raise ScheduleConflict("Les rencontres imposées ne peuvent pas toutes tenir dans les créneaux.")
    raise SentiersError(
        f"Le calcul du planning n'a pas abouti en {fr.number(time.perf_counter() - started, 0)} s "
        f"({h.modelStatusToString(status)})."
    )


def colour_edges(edges: list[tuple[int, int]], colours: int) -> list[int]:
    """A proper edge colouring of a bipartite (multi)graph with ``colours`` colours (0-based), by alternating paths.

    Needs every vertex's degree ≤ ``colours`` (König): then it always succeeds. Left vertices are edges' first
    items, right vertices their second items.
    """
    # at[(side, vertex)][colour] = index of the edge of that colour at the vertex
    at: dict[tuple[int, int], dict[int, int]] = {}
    result = [-1] * len(edges)

    def free(node: tuple[int, int]) -> int:
        used = at.get(node, {})
        for c in range(colours):
            if c not in used:
                return c
        raise SentiersError("Un participant a plus de rencontres que de créneaux.")

    for k, (a, b) in enumerate(edges):
        u, v = (0, a), (1, b)
        cu, cv = free(u), free(v)
        if cu not in at.get(v, {}):
            colour = cu
        else:
            # flip the path from v alternating cu, cv, cu… so that cu becomes free at v (it never reaches u)
            path: list[int] = []
            node, c = v, cu
            while c in at.get(node, {}):
                e = at[node][c]
                path.append(e)
                ea, eb = edges[e]
                node = (0, ea) if node[0] == 1 else (1, eb)
                c = cv if c == cu else cu
            for e in path:
                ea, eb = edges[e]
                old = result[e]
                for end in ((0, ea), (1, eb)):
                    if at.get(end, {}).get(old) == e:
                        del at[end][old]
            for e in path:
                ea, eb = edges[e]
                new = cv if result[e] == cu else cu
                result[e] = new
                at.setdefault((0, ea), {})[new] = e
                at.setdefault((1, eb), {})[new] = e
            colour = cu
        result[k] = colour
        at.setdefault(u, {})[colour] = k
        at.setdefault(v, {})[colour] = k
    _balance(edges, result, colours)
    return result


def _balance(edges: list[tuple[int, int]], colour: list[int], colours: int) -> None:
    """Even out the slots (de Werra): the edges of two colours form alternating paths and even cycles; swapping
    the colours of a path with one more edge of the fuller colour moves one meeting, and the colouring stays
    proper. Repeated until no two slots differ by more than one meeting (tables needed per slot: fewest)."""
    from collections import Counter, defaultdict

    for _ in range(colours * colours + 1):
        counts = Counter(colour)
        hi = max(range(colours), key=lambda c: (counts[c], -c))
        lo = min(range(colours), key=lambda c: (counts[c], c))
        excess = counts[hi] - counts[lo]
        if excess <= 1:
            return
        sub = [k for k, c in enumerate(colour) if c in (hi, lo)]
        incident: dict[tuple[int, int], list[int]] = defaultdict(list)
        for k in sub:
            incident[(0, edges[k][0])].append(k)
            incident[(1, edges[k][1])].append(k)
        seen: set[int] = set()
        for k in sub:
            if k in seen or excess <= 1:
                continue
            component, stack = [], [k]
            seen.add(k)
            while stack:
                e = stack.pop()
                component.append(e)
                for end in ((0, edges[e][0]), (1, edges[e][1])):
                    for f in incident[end]:
                        if f not in seen:
                            seen.add(f)
                            stack.append(f)
            more = sum(1 for e in component if colour[e] == hi)
            if more > len(component) - more:
                for e in component:
                    colour[e] = lo if colour[e] == hi else hi
                excess -= 2
