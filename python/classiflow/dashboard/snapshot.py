"""What the dashboard shows, read from an engine: one JSON-able snapshot per request.

Throughput is computed here, on the server, from successive ``stats()`` snapshots: the
pipeline counts completions since the engine opened, so a rate needs two readings. Before a
second reading exists, the rate is the last full minute of ``per_minute`` counts.
"""

import threading
import time
from typing import Any, Dict, List, Optional, Tuple

import classiflow as cf

__all__ = ["Collector"]

# Readings closer together than this give a noisy rate (two page loads in one second), so the
# previous rate is kept instead.
MIN_INTERVAL_S = 0.5
TABLE_ROWS = 20


def error_info(error: BaseException) -> Dict[str, str]:
    """``{"code", "message"}`` of a failure, the code being classiflow's status name."""
    code = getattr(error, "code", None) or type(error).__name__
    return {"code": str(code), "message": str(error)}


class Collector:
    """Reads engines into snapshots. Thread-safe: the HTTP server calls it from many threads.

    Args:
        engine: the engine to read (a writer, or a reader of a data directory).
        pipeline: show only this pipeline (None = every pipeline the engine lists).
    """

    def __init__(self, engine: "cf.Engine", pipeline: Optional[str] = None) -> None:
        self.engine = engine
        self.only = pipeline
        self._lock = threading.Lock()
        # pipeline name -> (monotonic time, completed, last computed rate)
        self._last: Dict[str, Tuple[float, int, Optional[float]]] = {}

    def pipeline_names(self) -> List[str]:
        """The pipelines to show, in the engine's order."""
        if self.only is not None:
            return [self.only]
        return list(self.engine.pipelines())

    def pipeline(self, name: str) -> "cf.Pipeline":
        """The handle of pipeline ``name``; raises ``NotFoundError`` for one not shown."""
        if name not in self.pipeline_names():
            raise cf.NotFoundError(f"no pipeline {name!r}")
        return self.engine.pipeline(name)

    def models(self) -> List[Dict[str, Any]]:
        """``[{"name", "kind", "version"}]`` for every model of the engine."""
        rows = []
        for name in self.engine.models():
            try:
                model = self.engine.model(name)
                rows.append({"name": name, "kind": model.kind, "version": model.version})
            except cf.NotFoundError:  # dropped between models() and model(): not shown
                continue
        return rows

    def snapshot(self) -> Dict[str, Any]:
        """Everything the page shows: ``{"generated_at", "mode", "models", "pipelines"}``."""
        return {"generated_at": time.time(), "mode": self.engine.mode,
                "models": self.models(),
                "pipelines": [self.pipeline_snapshot(n) for n in self.pipeline_names()]}

    def pipeline_snapshot(self, name: str) -> Dict[str, Any]:
        """One pipeline: its ``stats()``, ``analytics()`` (None when off, with a note), the
        throughput, and the newest dead letters. A pipeline that cannot be read at all gets an
        ``"error"`` instead, so one bad pipeline does not blank the page."""
        out: Dict[str, Any] = {"name": name, "error": None, "analytics": None,
                               "analytics_note": None}
        try:
            p = self.engine.pipeline(name)
            out["stats"] = p.stats()
        except cf.Error as e:
            out["error"] = error_info(e)
            return out
        try:
            out["analytics"] = p.analytics()
        except cf.NotSupportedError as e:
            out["analytics_note"] = f"analytics are off for this pipeline ({e})"
        out["throughput"] = self._rate(name, out["stats"], out["analytics"])
        dead = p.dead_letters(limit=TABLE_ROWS)
        out["dead_letter_list"] = [{k: d.get(k) for k in ("id", "stage", "error", "attempts",
                                                           "failed_at")} for d in dead]
        return out

    def _rate(self, name: str, stats: Dict[str, Any],
              analytics: Optional[Dict[str, Any]]) -> Optional[float]:
        """Items per second completed since the previous reading of this pipeline."""
        now, done = time.monotonic(), int(stats.get("completed", 0))
        with self._lock:
            last = self._last.get(name)
            if last is None:
                rate = _rate_from_minutes(analytics)
                self._last[name] = (now, done, rate)
                return rate
            then, before, previous = last
            if now - then < MIN_INTERVAL_S:
                return previous
            rate = max(done - before, 0) / (now - then)
            self._last[name] = (now, done, rate)
            return rate


def _rate_from_minutes(analytics: Optional[Dict[str, Any]]) -> Optional[float]:
    """Items/s over the last full minute of ``per_minute`` counts.

    Only classify stages count per minute, and a routed item may skip some of them, so the
    busiest one is the best estimate of the items that went through.
    """
    if not analytics:
        return None
    full_minute = (time.time() // 60 - 1) * 60
    best = 0
    for stage in analytics.get("stages", {}).values():
        for row in stage.get("per_minute", []):
            if row["t"] == full_minute:
                best = max(best, sum(row["counts"].values()))
    return best / 60.0
