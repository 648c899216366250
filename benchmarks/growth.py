"""How a step's time grows with the school, judged so that the verdict survives a busy machine.

Why a module of its own: the performance suite (run_all.py) must say whether any step grows
faster than the number of pupils, and its first verdict — the median time at 10,000 pupils
over the median at 500 — changed from run to run on the same code (the register load ×17.6,
×38.6 and ×24.1 in three quiet runs). The times it divided by were 0.4–1.6 ms: a core taken
by something else for a millisecond is a doubling. So the verdict here rests on what is
least disturbed and says how sure it is:

* each size's time is the **fastest** of many runs (CPU time where the step has one): other
  work on the machine only ever adds time, so the minimum is the best estimate of the
  step's own cost (the advice of Python's ``timeit``);
* the runs are dealt into three interleaved batches, and the fastest of each batch gives a
  **range** for that size; the growth ratio's range runs from the least favourable pairing
  to the most;
* the **exponent** — the slope of log time against log pupils fitted over every size — is
  printed beside it: 1 is linear, 2 quadratic;
* when the best estimate is above the pupils' ratio but the range reaches below it, the
  step is over the pupils **only within the run's noise**, and said so;
* when even the range's low end is above the pupils' ratio the step costs more per pupil in
  a larger school, and it is said how much: **within n·log n** is the cost every read of a
  sorted register or through a B-tree index has (a row found in log(pupils) steps, n rows
  sorted in n·log n comparisons: ×29.6, not ×20, from 500 to 10,000 pupils; the same SQL on
  plain SQLite grows alike — measured, see the README); **beyond n·log n** is what an N+1
  query, a scan inside a loop or a quadratic algorithm shows, and it is flagged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

BATCHES = 3


def batch_bests(samples: Sequence[float]) -> tuple[float, float]:
    """The fastest run, and the slowest of the batches' fastest runs (the size's range)."""
    if not samples:
        raise ValueError("no runs to judge")
    batches = [samples[k::BATCHES] for k in range(min(BATCHES, len(samples)))]
    bests = [min(batch) for batch in batches]
    return min(bests), max(bests)


def exponent(points: Sequence[tuple[float, float]]) -> float | None:
    """The least-squares slope of log(time) against log(pupils) over ``points`` of
    (pupils, seconds); None with fewer than two sizes or a time that is not positive."""
    if len(points) < 2 or any(p <= 0 or t <= 0 for p, t in points):
        return None
    xs = [math.log(p) for p, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx


@dataclass(frozen=True)
class Growth:
    """How one step grew from the smallest school to the largest."""

    pupils: float
    """The pupils' own ratio (×20 from 500 to 10,000)."""
    n_log_n: float
    """What n·log n grows by over the same sizes (×29.6 from 500 to 10,000)."""
    ratio: float
    """Fastest run at the largest size over the fastest at the smallest."""
    low: float
    high: float
    """The ratio's range over the batches (low ≤ ratio ≤ high)."""
    slope: float | None
    """The fitted exponent over every size."""

    @property
    def faster_than_pupils(self) -> bool:
        """Even the most favourable reading of the run's noise grows faster than the
        pupils: beyond n·log n, flagged (see the module's docstring)."""
        return self.low > self.n_log_n

    @property
    def within_n_log_n(self) -> bool:
        """More per pupil in a larger school, but no more than an index or a sort costs."""
        return self.pupils < self.low <= self.n_log_n

    @property
    def within_noise(self) -> bool:
        """The best estimate is over the pupils' ratio, but the range reaches below it."""
        return self.ratio > self.pupils >= self.low

    def text(self) -> str:
        """The table's cell: ``×19.2 (×17.0–×21.9), exponent 0.99``."""
        spread = f" (×{self.low:.1f}–×{self.high:.1f})" if self.high > self.low else ""
        slope = f", exponent {self.slope:.2f}" if self.slope is not None else ""
        verdict = (
            f" FASTER THAN PUPILS (beyond n·log n, ×{self.n_log_n:.1f})"
            if self.faster_than_pupils
            else f" (over the pupils, within n·log n ×{self.n_log_n:.1f})"
            if self.within_n_log_n
            else " (over the pupils only within the run's noise)"
            if self.within_noise
            else ""
        )
        return f"×{self.ratio:.1f}{spread}{slope}{verdict}"


def growth(sizes: Sequence[tuple[int, Sequence[float]]]) -> Growth | None:
    """The growth of a step measured at each of ``sizes`` — (pupils, the runs' seconds),
    smallest school first. None when fewer than two sizes have runs."""
    measured = [(pupils, runs) for pupils, runs in sizes if runs]
    if len(measured) < 2:
        return None
    (first_pupils, first_runs), (last_pupils, last_runs) = measured[0], measured[-1]
    first_best, first_worst = batch_bests(first_runs)
    last_best, last_worst = batch_bests(last_runs)
    if first_best <= 0:
        return None
    return Growth(
        pupils=last_pupils / first_pupils,
        n_log_n=last_pupils * math.log(last_pupils) / (first_pupils * math.log(first_pupils)),
        ratio=last_best / first_best,
        low=last_best / first_worst,
        high=last_worst / first_best,
        slope=exponent([(pupils, batch_bests(runs)[0]) for pupils, runs in measured]),
    )
