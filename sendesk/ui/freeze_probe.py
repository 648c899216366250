"""A freeze probe: a timer on the GUI thread that records every gap in the event loop.

Why: "the window froze" is what users notice, and it is the GUI thread being busy. A
timer asked to fire every few milliseconds fires late by exactly as long as the thread
was blocked, so the longest gap between ticks is the longest freeze. The GUI thread's own
CPU time between ticks is kept too: on a machine shared with other work, a gap can be the
thread waiting for a core, and the CPU time says how much of it was SENDesk's own work. Used by
benchmarks/freeze_bench.py; tests assert that work ran off the thread, never timings.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer


class FreezeProbe(QObject):
    """Ticks every ``interval_ms``; :attr:`longest_ms` is the longest block since reset."""

    def __init__(self, interval_ms: int = 5) -> None:
        super().__init__()
        self.interval_ms = interval_ms
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.gaps_ms: list[float] = []
        self.cpu_ms: list[float] = []
        self._last = time.perf_counter()
        self._last_cpu = time.thread_time()

    def start(self) -> None:
        self.reset()
        self.timer.start()

    def stop(self) -> None:
        self._tick()
        self.timer.stop()

    def reset(self) -> None:
        self.gaps_ms = []
        self.cpu_ms = []
        self._last = time.perf_counter()
        self._last_cpu = time.thread_time()

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()  # this runs on the GUI thread
        self.gaps_ms.append(max(0.0, (now - self._last) * 1000 - self.interval_ms))
        self.cpu_ms.append((cpu - self._last_cpu) * 1000)
        self._last, self._last_cpu = now, cpu

    @property
    def longest_ms(self) -> float:
        """The longest the GUI thread was blocked since :meth:`reset` (including now)."""
        pending = max(0.0, (time.perf_counter() - self._last) * 1000 - self.interval_ms)
        return max([pending, *self.gaps_ms])

    @property
    def longest_cpu_ms(self) -> float:
        """The most CPU time the GUI thread itself spent between two ticks since
        :meth:`reset`: on a busy shared machine a block is also time the thread waited to
        be scheduled (or for the worker's GIL), which this leaves out."""
        pending = (time.thread_time() - self._last_cpu) * 1000
        return max([pending, *self.cpu_ms])
