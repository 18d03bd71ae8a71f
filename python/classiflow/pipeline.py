"""classiflow.Pipeline."""

import json
import math
import os
from collections.abc import Mapping
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union

from . import _classiflow
from .errors import InvalidArgumentError

__all__ = ["Pipeline"]

_Text = Union[str, bytes]
_Item = Union[_Text, Tuple[str, _Text], Mapping]
_Spec = Union[str, Mapping]


def _dumps(value: Any, what: str) -> str:
    """JSON text of `value`; NaN and infinities are not JSON, so they are refused here."""
    try:
        return json.dumps(value, allow_nan=False, separators=(",", ":"))
    except ValueError as e:
        raise InvalidArgumentError(f"{what}: {e}") from None
    except TypeError as e:
        raise TypeError(f"{what}: {e}") from None


def _id_arg(id: Optional[str], what: str = "id") -> str:
    if id is None:
        return ""  # the pipeline generates one
    if not isinstance(id, str):
        raise TypeError(f"{what} must be a str or None, not {type(id).__name__}")
    return id


def _meta_arg(meta: Optional[Mapping], what: str = "meta") -> str:
    if meta is None:
        return ""
    if not isinstance(meta, Mapping):
        raise TypeError(f"{what} must be a dict or None, not {type(meta).__name__}")
    return _dumps(dict(meta), what)


def _item_args(i: int, item: Any) -> Tuple[Any, str, str]:
    """(text, id, meta JSON) of one submit_many item."""
    if isinstance(item, (str, bytes)):
        return item, "", ""
    where = f"items[{i}]"
    if isinstance(item, (tuple, list)):
        if len(item) != 2:
            raise TypeError(f"{where}: a pair is (id, text), not {len(item)} values")
        return item[1], _id_arg(item[0], f"{where}: id"), ""
    if isinstance(item, Mapping):
        unknown = set(item) - {"id", "text", "meta"}
        if unknown:
            raise InvalidArgumentError(f"{where}: unknown key {sorted(map(str, unknown))[0]!r}")
        if "text" not in item:
            raise InvalidArgumentError(f"{where}: no 'text'")
        return (item["text"], _id_arg(item.get("id"), f"{where}: id"),
                _meta_arg(item.get("meta"), f"{where}: meta"))
    raise TypeError(f"{where} must be a str, an (id, text) pair or a dict with 'text', "
                    f"not {type(item).__name__}")


def _flatten(items: Iterable[_Item]) -> Tuple[List[Any], List[str], List[str]]:
    if isinstance(items, (str, bytes, Mapping)):
        raise TypeError(f"items must be an iterable of items, not a single {type(items).__name__}")
    texts: List[Any] = []
    ids: List[str] = []
    metas: List[str] = []
    for i, item in enumerate(items):
        if type(item) is str:  # the common case, without the general checks
            text, id, meta = item, "", ""
        else:
            text, id, meta = _item_args(i, item)
        if not isinstance(text, (str, bytes)):
            raise TypeError(f"items[{i}]: text must be str or bytes, not {type(text).__name__}")
        texts.append(text)
        ids.append(id)
        metas.append(meta)
    return texts, ids, metas


def _decode_item(item: Dict[str, Any]) -> Dict[str, Any]:
    """The binding hands meta and field values over as JSON text; callbacks see values."""
    meta = item["meta"]
    item["meta"] = None if meta is None else json.loads(meta)
    item["fields"] = {name: json.loads(value) for name, value in item["fields"].items()}
    return item


def _enrich_adapter(fn: Callable[[Dict[str, Any]], Optional[Mapping]]) -> Callable:
    def enrich(item: Dict[str, Any]) -> List[Tuple[str, str]]:
        fields = fn(_decode_item(item))
        if fields is None:
            return []
        if not isinstance(fields, Mapping):
            raise TypeError(f"an enrich callback returns a dict of fields or None, "
                            f"not {type(fields).__name__}")
        pairs = []
        for name, value in fields.items():
            if not isinstance(name, str):
                raise TypeError(f"field names are str, not {type(name).__name__}")
            pairs.append((name, json.dumps(value, allow_nan=False)))
        return pairs

    return enrich


def _validate_adapter(fn: Callable[[Dict[str, Any], Any], Any]) -> Callable:
    def validate(item: Dict[str, Any], value_json: str) -> bool:
        return bool(fn(_decode_item(item), json.loads(value_json)))

    return validate


def _check_callable(fn: Any, what: str = "fn") -> None:
    if not callable(fn):
        raise TypeError(f"{what} must be callable, not {type(fn).__name__}")


def _callback_roles(spec: Mapping) -> Tuple[set, set]:
    """(names enrich stages call, names validate checks call) in a canonical spec."""
    enrich, validate = set(), set()
    for stage in spec.get("stages", []):
        if "enrich" in stage:
            enrich.add(stage["enrich"])
        for check in stage.get("validate", []):
            if isinstance(check, Mapping) and "callback" in check:
                validate.add(check["callback"])
    return enrich, validate


def _prepare_spec(spec: _Spec) -> Tuple[str, List[Tuple[str, Callable]]]:
    """The spec's JSON, with every callable replaced by a callback name, and those callables.

    An enrich stage's callable is named after the stage (``"lookup"``); a validate check's after
    the stage and the field (``"check.sku"``). After a reopen, ``register_callback()`` takes the
    same names.
    """
    if isinstance(spec, str):
        return spec, []
    if not isinstance(spec, Mapping):
        raise TypeError(f"spec must be a dict or a JSON str, not {type(spec).__name__}")
    spec = dict(spec)
    callbacks: List[Tuple[str, Callable]] = []
    if isinstance(spec.get("stages"), (list, tuple)):
        spec["stages"] = [_name_callables(stage, callbacks) for stage in spec["stages"]]
    return _dumps(spec, "pipeline spec"), callbacks


def _name_callables(stage: Any, callbacks: List[Tuple[str, Callable]]) -> Any:
    if not isinstance(stage, Mapping):
        return stage  # the engine refuses it, naming it
    stage = dict(stage)
    name = stage.get("name")
    if callable(stage.get("enrich")):
        if not isinstance(name, str):
            raise InvalidArgumentError("pipeline spec: a stage whose enrich is a callable needs "
                                       "a 'name' (the callback is registered under it)")
        callbacks.append((name, stage["enrich"]))
        stage["enrich"] = name
    checks = stage.get("validate")
    if isinstance(checks, (list, tuple)):
        named = []
        for check in checks:
            if isinstance(check, Mapping) and callable(check.get("callback")):
                check = dict(check)
                callback_name = f"{name}.{check.get('field')}"
                callbacks.append((callback_name, check["callback"]))
                check["callback"] = callback_name
            named.append(check)
        stage["validate"] = named
    return stage


class Pipeline:
    """A named, durable graph of stages that every submitted item flows through.

    Get one from ``Engine.pipeline(name, spec)``. Stages classify (and route by label and
    confidence), extract fields, validate them, enrich items with your callbacks, and end in a
    sink that stores the result under the item's id. An accepted item reaches exactly one result
    or dead letter, across crashes and reopens: ``submit`` returns once it is durable.

    Thread-safe. Every call that may wait (submitting, flushing, reading results) releases the
    GIL. Callbacks run on the pipeline's own threads, holding the GIL only while they run; they
    must not call ``flush()``, ``Engine.close()`` or ``Engine.drop_pipeline()`` (those wait for
    the callbacks). After the pipeline is dropped or its engine closed, calls raise
    ``UnavailableError``.
    """

    __slots__ = ("_p",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("use Engine.pipeline() to get a Pipeline")

    @classmethod
    def _wrap(cls, handle: "_classiflow.Pipeline") -> "Pipeline":
        pipeline = object.__new__(cls)
        pipeline._p = handle
        return pipeline

    def __repr__(self) -> str:
        return f"<classiflow.Pipeline {self.name!r}>"

    @property
    def name(self) -> str:
        """The pipeline's name."""
        return self._p.name

    @property
    def spec(self) -> Dict[str, Any]:
        """The spec as stored: canonical (keys sorted), callables replaced by their names."""
        return json.loads(self._p.spec_json)

    def submit(self, text: _Text, id: Optional[str] = None, meta: Optional[Mapping] = None) -> str:
        """Accept one item and return its id once it is durable.

        Args:
            text: the item's text, str or UTF-8 bytes; 1 byte to 1 MiB of valid UTF-8.
            id: the caller's id (at most 256 bytes, no control characters), or None to have one
                generated. An id that is in flight or done is accepted again without a second
                result: resubmitting is safe.
            meta: a dict kept with the item and its result (JSON-able, at most 64 KiB).

        Blocks while the pipeline holds ``max_in_flight`` items.

        Raises:
            InvalidArgumentError: empty, oversized or invalid UTF-8 text; a bad id or meta.
            TypeError: arguments of the wrong type.
            StorageError: the store refused the write (nothing was accepted).
            UnavailableError: the pipeline was dropped or its engine closed.
        """
        return self._p.submit(text, _id_arg(id), _meta_arg(meta))

    def try_submit(self, text: _Text, id: Optional[str] = None,
                   meta: Optional[Mapping] = None) -> str:
        """``submit()`` that never blocks: raises ``BusyError`` (an ``UnavailableError``) when
        the pipeline holds ``max_in_flight`` items, accepting nothing."""
        return self._p.try_submit(text, _id_arg(id), _meta_arg(meta))

    def submit_many(self, items: Iterable[_Item]) -> List[str]:
        """Accept many items and return their ids, in order, once all are durable.

        Args:
            items: any iterable of texts (str or bytes), ``(id, text)`` pairs and
                ``{"text": ..., "id": ..., "meta": {...}}`` dicts ("id" and "meta" optional),
                mixed as you like.

        Every item is checked before any is accepted: a bad one raises naming it
        (``"items[3]: text is empty"``) and nothing is accepted.
        """
        if _classiflow._is_text_list(items):  # texts only: no per-item work in Python
            return self._p.submit_texts(items)
        texts, ids, metas = _flatten(items)
        return self._p.submit_many(texts, ids, metas)

    def flush(self, timeout: Optional[float] = None) -> None:
        """Wait until every item accepted before the call has its result or dead letter, the
        result callbacks for them have run, and the SQLite sink files hold their rows.

        Args:
            timeout: seconds to wait at most; None waits as long as it takes.

        Raises:
            BusyError: the timeout passed first; the message says how many items still wait and
                why (e.g. for an enrich callback that is not registered yet).
            StorageError: a sink file's last write failed (the results are stored; the sink
                writes them once it can).
        """
        if timeout is None:
            self._p.flush(-1)
            return
        if not timeout >= 0:
            raise InvalidArgumentError(f"timeout must be >= 0 seconds or None, got {timeout!r}")
        self._p.flush(-1 if math.isinf(timeout) else math.ceil(timeout * 1000))

    def result(self, id: str) -> Dict[str, Any]:
        """The result of item ``id``: ``{"id", "route": [stage names], "predictions": {stage:
        {"label", "confidence", "model", "version"}}, "fields", "valid", "meta", "attempts",
        "submitted_at", "done_at", "expires_at"}`` (Unix seconds).

        Raises:
            NotFoundError: (a ``KeyError``) no result: unknown id, still in flight,
                dead-lettered or expired.
        """
        return json.loads(self._p.result_json(id))

    def results(self, newest: int = 100) -> List[Dict[str, Any]]:
        """The newest results, newest first, at most ``newest``."""
        if newest < 0:
            raise InvalidArgumentError(f"newest must be >= 0, got {newest}")
        return [json.loads(r) for r in self._p.results_json(newest)]

    def dead_letters(self, limit: int = 0) -> List[Dict[str, Any]]:
        """Items that failed ``max_attempts`` times, in id order, at most ``limit`` (0 = all):
        ``{"id", "text", "meta", "stage", "error", "attempts", "submitted_at", "failed_at"}``."""
        if limit < 0:
            raise InvalidArgumentError(f"limit must be >= 0, got {limit}")
        return [json.loads(d) for d in self._p.dead_letters_json(limit)]

    def requeue(self, id: str) -> None:
        """Move dead letter ``id`` back into the pipeline at the stage that failed, its attempts
        reset. Raises ``NotFoundError`` when ``id`` has no dead letter."""
        self._p.requeue(id)

    def on_result(self, fn: Callable[[Dict[str, Any]], Any]) -> None:
        """Call ``fn(result)`` for every result committed from now on, on the pipeline's
        delivery thread, in commit order. Results a previous run committed but had not delivered
        (a crash came between) go to the first result callback registered after reopen. An
        exception in ``fn`` goes to ``sys.unraisablehook`` and counts in
        ``stats()["callback_errors"]``; delivery goes on."""
        _check_callable(fn)
        self._p.on_result(lambda text: fn(json.loads(text)))

    def on_results(self, fn: Callable[[List[Dict[str, Any]]], Any], max_items: int = 1000,
                   max_delay_ms: int = 50) -> None:
        """Call ``fn(results)`` with up to ``max_items`` results at a time, at most
        ``max_delay_ms`` after the first of them committed. Replaces an earlier ``on_results``.
        """
        _check_callable(fn)
        self._p.on_results(lambda texts: fn([json.loads(t) for t in texts]), max_items,
                           max_delay_ms)

    def on_dead_letter(self, fn: Callable[[Dict[str, Any]], Any]) -> None:
        """Call ``fn(dead_letter)`` for every new dead letter (see ``dead_letters()``)."""
        _check_callable(fn)
        self._p.on_dead_letter(lambda text: fn(json.loads(text)))

    def register_callback(self, name: str, fn: Callable[..., Any]) -> None:
        """Register the callback the spec names ``name``; replaces an earlier one.

        The spec decides the role. For an enrich stage (``"enrich": name``), ``fn(item)``
        returns a dict of fields (values anything JSON-able) or None; ``item`` is ``{"id",
        "text", "meta", "predictions", "fields", "attempt"}``. For a validate check
        (``{"field": f, "callback": name}``), ``fn(item, value)`` returns whether the field's
        value is valid. A callable given in the spec itself is registered under the stage's
        name (enrich) or ``"stage.field"`` (validate).

        Items waiting for the callback (after a reopen, say) start at once. An exception in
        ``fn`` fails the attempt: the item is retried with backoff and, after
        ``max_attempts``, dead-lettered with the exception's type and message.

        Raises:
            InvalidArgumentError: no enrich stage or validate check names ``name``.
        """
        _check_callable(fn)
        enrich, validate = _callback_roles(self.spec)
        if name not in enrich and name not in validate:
            raise InvalidArgumentError(f"pipeline {self.name!r} has no enrich stage or validate "
                                       f"check with callback {name!r}")
        if name in enrich:
            self._p.register_enrich(name, _enrich_adapter(fn))
        if name in validate:
            self._p.register_validator(name, _validate_adapter(fn))

    def stats(self) -> Dict[str, Any]:
        """Counters and latencies: ``{"pipeline", "submitted", "duplicates", "completed",
        "dead_letters", "retries", "callback_errors", "in_flight", "queue_depth", "commits",
        "latency_ms": {"p50", "p95", "p99"}, "stages": [...]}``; counted since the engine
        opened."""
        return json.loads(self._p.stats_json())

    def metrics_text(self) -> str:
        """``stats()`` and ``analytics()`` in the Prometheus text format, labelled
        ``pipeline="name"``. A ``classiflow_pipeline_feedback_alert`` line appears while
        accuracy over the last feedbacks is below the spec's
        ``analytics.feedback.alert_below``."""
        return self._p.metrics_text()

    def analytics(self) -> Dict[str, Any]:
        """The live aggregates (docs/analytics.md): ``{"pipeline", "items", "stages": {name:
        {"kind", "items", "retries", "dead_letters", and for classify stages "model",
        "labels": {label: {"count", "mean_confidence"}}, "histogram": {"edges", "counts"},
        "per_minute", "per_hour": [{"t", "counts"}]}}, "routes": [{"from", "to", "count"}],
        "fields": {name: {"extracted", "valid", "invalid"}}, "urgent": [...],
        "needs_review": [...], "feedback": {"total", "correct", "accuracy", "recent",
        "versions": {stage: {version: {"n", "accuracy", "macro_f1", "labels",
        "confusion"}}}}}``.

        Written in the same batch as the results they count: after any crash they equal a
        recount. Reading never waits for the pipeline, whatever the number of items.

        Raises:
            NotSupportedError: the spec says ``"analytics": False``.
        """
        return json.loads(self._p.analytics_json())

    def analytics_frame(self) -> Dict[str, Any]:
        """``analytics()`` as pandas DataFrames: ``"labels"`` (stage, label, count,
        mean_confidence), ``"per_minute"`` and ``"per_hour"`` (stage, t as a timestamp, label,
        count), ``"histogram"`` (stage, low, high, count), ``"routes"`` (from, to, count),
        ``"fields"`` (field, extracted, valid, invalid), ``"urgent"`` and ``"needs_review"``
        (one row per item) and ``"feedback"`` (stage, version, n, accuracy, macro_f1).

        Raises:
            ImportError: pandas is not installed.
        """
        from ._frames import analytics_frames

        return analytics_frames(self.analytics())

    def reset_analytics(self) -> None:
        """Clears the aggregates: they count from the next commit on (feedback stays
        recorded)."""
        self._p.reset_analytics()

    def recount(self) -> None:
        """Rebuilds the aggregates from the stored log and results since the last reset
        (reads them all) and installs them; the pipeline runs on meanwhile."""
        self._p.recount()

    def feedback(self, id: str, label: str, stage: Optional[str] = None,
                 text: Optional[str] = None) -> None:
        """Records ``label`` as the true label of the result of ``id``, durably; a second
        feedback for an id replaces the first. The item leaves the needs-review list, and
        ``analytics()["feedback"]`` scores the model version that answered.

        Args:
            stage: the classify stage whose answer is corrected (default: the item's least
                confident answer, the one its needs-review entry shows).
            text: the item's text, for training, when the sink does not keep it
                (``"keep_text": True``).

        With the spec's ``analytics.feedback.train`` ``"online"`` the model that answered
        trains on it at once (a new version); with ``"later"`` (the default) ``retrain()``
        does.

        Raises:
            NotFoundError: the id has no result.
            InvalidArgumentError: an empty or invalid label, a stage that did not classify the
                item, or online training without a text.
        """
        self._p.feedback(_id_arg(id), label, "" if stage is None else stage,
                         "" if text is None else text)

    def retrain(self) -> int:
        """Trains every model on the feedback it has not trained on yet (one batch per model,
        a new version each); returns how many feedbacks that was."""
        return self._p.retrain()

    def export_sqlite(self, path: str | os.PathLike) -> int:
        """Writes the results stored now into the SQLite file ``path`` (created when missing;
        a relative path is in the data directory) and returns how many rows that was.

        It is the ``results`` table a ``{"sink": {"sqlite": FILE}}`` keeps (one row per id,
        upserted, so exporting again adds no duplicates): ``pandas.read_sql("select label,
        count(*) from results group by label", sqlite3.connect(path))`` reads it. Works on the
        pipelines of a ``mode="read"`` engine too.

        Raises:
            InvalidArgumentError: the file is not SQLite, its ``results`` table is not
                classiflow's, or it is another pipeline's sink.
            StorageError: it cannot be written.
        """
        return self._p.export_sqlite(os.fspath(path))
