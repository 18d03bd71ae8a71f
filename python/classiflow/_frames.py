"""``Pipeline.analytics_frame()``: the analytics document as pandas DataFrames, one per table a
notebook would plot or query. pandas is imported only when a frame is asked for."""

from typing import Any, Dict, List


def _frame(rows: List[Dict[str, Any]], columns: List[str]) -> Any:
    import pandas as pd

    return pd.DataFrame(rows, columns=columns)


def _series_rows(stage: str, points: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    import pandas as pd

    return [{"stage": stage, "t": pd.Timestamp(p["t"], unit="s"), "label": label, "count": n}
            for p in points for label, n in p["counts"].items()]


def analytics_frames(a: Dict[str, Any]) -> Dict[str, Any]:
    """DataFrames from ``Pipeline.analytics()`` (see its docstring for the columns)."""
    labels, minutes, hours, histogram, feedback = [], [], [], [], []
    for stage, s in a["stages"].items():
        for label, t in s.get("labels", {}).items():
            labels.append({"stage": stage, "label": label, "count": t["count"],
                           "mean_confidence": t["mean_confidence"]})
        minutes += _series_rows(stage, s.get("per_minute", []))
        hours += _series_rows(stage, s.get("per_hour", []))
        if "histogram" in s:
            edges = s["histogram"]["edges"]
            histogram += [{"stage": stage, "low": edges[i], "high": edges[i + 1], "count": n}
                          for i, n in enumerate(s["histogram"]["counts"])]
    for stage, versions in a["feedback"]["versions"].items():
        for version, v in versions.items():
            feedback.append({"stage": stage, "version": int(version), "n": v["n"],
                             "accuracy": v["accuracy"], "macro_f1": v["macro_f1"]})
    item_columns = ["id", "stage", "label", "confidence", "done_at"]
    return {
        "labels": _frame(labels, ["stage", "label", "count", "mean_confidence"]),
        "per_minute": _frame(minutes, ["stage", "t", "label", "count"]),
        "per_hour": _frame(hours, ["stage", "t", "label", "count"]),
        "histogram": _frame(histogram, ["stage", "low", "high", "count"]),
        "routes": _frame(a["routes"], ["from", "to", "count"]),
        "fields": _frame([{"field": k, **v} for k, v in a["fields"].items()],
                         ["field", "extracted", "valid", "invalid"]),
        "urgent": _frame(a["urgent"], item_columns + ["field"]),
        "needs_review": _frame(a["needs_review"], item_columns),
        "feedback": _frame(sorted(feedback, key=lambda r: (r["stage"], r["version"])),
                           ["stage", "version", "n", "accuracy", "macro_f1"]),
    }
