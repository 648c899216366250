"""A freeze probe: a timer on the GUI thread that records every gap in the event loop.

Why: "the window froze" is what users notice, and it is the GUI thread being busy. A
timer asked to fire every few milliseconds fires late by exactly as long as the thread
was blocked, so the longest gap between ticks is the longest freeze. Used by
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
        self._last = time.perf_counter()

    def start(self) -> None:
        self.reset()
        self.timer.start()

    def stop(self) -> None:
        self._tick()
        self.timer.stop()

    def reset(self) -> None:
        self.gaps_ms = []
        self._last = time.perf_counter()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps_ms.append(max(0.0, (now - self._last) * 1000 - self.interval_ms))
        self._last = now

    @property
    def longest_ms(self) -> float:
        """The longest the GUI thread was blocked since :meth:`reset` (including now)."""
        pending = max(0.0, (time.perf_counter() - self._last) * 1000 - self.interval_ms)
        return max([pending, *self.gaps_ms])
