"""classiflow.Engine."""

import atexit
import json
import os
import weakref
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Dict, Iterable, List, Optional, Type, Union

from . import _classiflow
from .model import Model
from .pipeline import Pipeline, _prepare_spec

__all__ = ["Engine"]

_MEMORY = "memory:"

# Engines still open when the interpreter exits are closed by an atexit hook, which runs before
# finalization starts: closing then lets pipeline threads finish their Python callbacks and
# commit what they hold, which they could not do once finalization has begun.
_open_engines: "weakref.WeakSet[Engine]" = weakref.WeakSet()


@atexit.register
def _close_open_engines() -> None:
    for engine in list(_open_engines):
        try:
            engine.close()
        except Exception:  # exiting anyway; the data is durable up to its last commit
            pass


class Engine:
    """One open data directory and the models in it. Thread-safe; a context manager.

    Args:
        path: None (or ``"memory:"``) for an in-memory engine (nothing survives ``close()``);
            otherwise a data directory as str or os.PathLike, or ``"rocksdb:PATH"``. A missing
            or empty directory is created and marked as classiflow's; a marked one reopens; any
            other directory (another program's files, ``"/"``) is refused untouched.
        sync: fsync every committed training step. False still survives a process crash; a
            power loss may lose the last steps.
        mode: ``"write"`` (the default): the one writer of the directory. ``"read"``: a reader
            that classifies from a directory another engine writes (in this or another process,
            e.g. gunicorn or Celery workers sharing one directory) and follows the writer's new
            model versions every ``follow_interval_ms``; creating, training and dropping models
            raise ``NotSupportedError``. A read-only directory opens in this mode.
        recover: open a directory whose log is damaged at its last consistent point instead of
            raising ``CorruptionError``; ``recovery`` then says what was dropped.
        follow_interval_ms: ``mode="read"``: how often to look for new versions (1..60000).
        threads: the threads this engine's pipelines and its models' batch calls
            (``train_batch``, ``classify_batch``, ``predict_proba``) run on, a pool of its own
            (0 = one per core; pipeline callbacks get their own threads).

    Raises:
        InvalidArgumentError: ``""`` or a path with a NUL byte; a directory that is not
            classiflow's; bad options.
        BusyError: a writer, in this or another process, holds the directory (any spelling).
        StorageError: the directory cannot be created or written.
        CorruptionError: stored data fails its checks, naming the file (nothing is opened).

    After ``close()`` every call on the engine, and on models from it, raises
    ``UnavailableError``. A model or pipeline handle keeps its engine open until ``close()``
    is called; engines still open at interpreter exit are closed then.
    """

    __slots__ = ("_e", "__weakref__")

    def __init__(
        self,
        path: Union[None, str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"] = None,
        *,
        sync: bool = False,
        mode: str = "write",
        recover: bool = False,
        follow_interval_ms: int = 5,
        threads: int = 0,
    ) -> None:
        # The C++ side takes bytes: a path is bytes to the OS, whatever its encoding.
        uri = _MEMORY if path is None else os.fsencode(path)
        options = {"sync": sync, "mode": mode, "recover": recover,
                   "follow_interval_ms": follow_interval_ms, "threads": threads}
        self._e = _classiflow.Engine(uri, json.dumps(options))
        _open_engines.add(self)

    @property
    def mode(self) -> str:
        """``"read"`` for a reader engine, else ``"write"``."""
        return "read" if self._e.read_only else "write"

    @property
    def recovery(self) -> Dict[str, Any]:
        """What a ``recover=True`` open dropped: ``{"performed": bool, "models": [{"model",
        "before", "after"}]}``, versions per model before and after (-1 = absent/unreadable)."""
        return json.loads(self._e.recovery_json())

    def __repr__(self) -> str:
        where = "(closed)" if self._e.closed else self._e.describe()
        return f"<classiflow.Engine {where}>"

    def __enter__(self) -> "Engine":
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the engine and release its directory lock. Idempotent.

        Pipelines first commit what they hold and stop; items still waiting (for a retry or a
        callback) stay stored and run again when the directory is reopened. Must not be called
        from a pipeline callback (it waits for them). Releases the GIL while closing.

        Raises:
            StorageError: the store failed to close cleanly.
        """
        _open_engines.discard(self)
        self._e.close()

    def create_model(
        self, name: str, kind: str = "bayes", labels: Optional[Iterable[str]] = None, **options: Any
    ) -> Model:
        """Create an untrained model (version 0) and persist it.

        Args:
            name: 1..128 characters of ``[A-Za-z0-9_.-]``, not starting with ``"."``.
            kind: the classifier kind: ``"bayes"`` (multinomial Naive Bayes), ``"linear"``
                (softmax regression over hashed n-grams; train it with ``Model.fit()``) or
                ``"lsi"`` (latent semantic indexing: ``Model.add_items()``, ``search()``,
                ``find_related()``, classification by the nearest items).
            labels: a fixed label set; None = labels are added as training uses them.
            **options: model options. Every kind: ``min_confidence=0.6``, ``lowercase=True``,
                ``stop_words=False``, ``stemmer="english"``,
                ``normalize_urls/emails/numbers=True``, ``ngrams=2``, ``hash_bits=20``,
                ``max_text_bytes=1048576``. ``"bayes"``: ``alpha=1.0``, ``fit_prior=True``.
                ``"linear"``: ``loss="log"`` (or ``"hinge"``: one-vs-all margins, their
                softmax calibrated by ``fit()``), ``learning_rate=4.0``, ``l2=1e-6``,
                ``optimizer="adagrad"`` (or ``"sgd"``; with ``loss="hinge"`` best ``"dual"``:
                liblinear's dual coordinate descent, no learning rate), ``epochs=5``, ``seed=42``, ``idf=True``, ``quantize=False``,
                ``prune=0.05``, ``multilabel=False`` (True: one-vs-all, any number of
                labels per text; see ``Model.thresholds()``). ``"lsi"``: ``rank=100``, ``max_terms=65536``,
                ``neighbors=10``, ``min_similarity=0.01``, ``rebuild_after=0.25``,
                ``power_iterations=2``, ``seed=42``. A key of another kind is refused.

        Raises:
            InvalidArgumentError: a bad name, kind, label, unknown option or out-of-range value.
            AlreadyExistsError: a model with this name exists.
            UnavailableError: the engine is closed.
        """
        if isinstance(labels, (str, bytes)):
            raise TypeError("labels must be a list of str, not a single string")
        spec = dict(options, kind=kind)
        if labels is not None:
            spec["labels"] = list(labels)
        return Model._wrap(self._e.create_model(name, json.dumps(spec)))

    def model(self, name: str) -> Model:
        """Return the model called ``name``.

        Raises:
            NotFoundError: no such model.
            UnavailableError: the engine is closed.
        """
        return Model._wrap(self._e.model(name))

    def models(self) -> List[str]:
        """Return the names of all models, sorted.

        Raises:
            UnavailableError: the engine is closed.
        """
        return self._e.models()

    def drop_model(self, name: str) -> None:
        """Delete a model and its stored data. Existing handles then raise ``NotFoundError``.

        Raises:
            NotFoundError: no such model.
            UnavailableError: the engine is closed.
        """
        self._e.drop_model(name)

    def pipeline(self, name: str, spec: Union[None, str, Mapping] = None) -> Pipeline:
        """Create pipeline ``name`` from ``spec`` and start it, or return it.

        Args:
            name: 1..128 characters of ``[A-Za-z0-9_.-]``.
            spec: a dict (or its JSON text): ``{"stages": [...], "durability", "batch",
                "max_in_flight", "max_attempts", "retry", "entry"}`` (see DESIGN.md). A Python
                callable may stand in for a callback name: ``{"name": "lookup", "enrich": fn,
                "next": "out"}`` or ``{"field": "sku", "callback": fn}`` in a validate list; it
                is registered under the stage's name (``"lookup"``) or ``"stage.field"``
                (``"check.sku"``), which is what ``register_callback()`` takes after a reopen.
                None returns the existing pipeline. The spec is stored: the pipeline reopens
                with the engine (register its callbacks again then).

        In a ``mode="read"`` engine, ``pipeline(name)`` returns a read-only view of what the
        writer (in this or another process) last committed: ``result()``, ``results()``,
        ``dead_letters()``, ``analytics()`` and ``stats()`` (the writer's snapshot, at most a
        second old) work; the verbs that would change it raise ``NotSupportedError``.

        Creating a pipeline again with the same spec returns the running one (and registers its
        callables again).

        Raises:
            InvalidArgumentError: a bad name or spec, naming the stage and the field.
            AlreadyExistsError: ``name`` holds a pipeline with another spec.
            NotFoundError: ``spec`` is None and there is no such pipeline.
            NotSupportedError: a spec given to an engine opened with ``mode="read"``.
        """
        if spec is None:
            return Pipeline._wrap(self._e.pipeline(name))
        spec_json, callbacks = _prepare_spec(spec)
        pipeline = Pipeline._wrap(self._e.create_pipeline(name, spec_json))
        for callback_name, fn in callbacks:
            pipeline.register_callback(callback_name, fn)
        return pipeline

    def pipelines(self) -> List[str]:
        """Return the names of all pipelines, sorted."""
        return self._e.pipelines()

    def drop_pipeline(self, name: str) -> None:
        """Stop pipeline ``name`` and delete everything it stored (spec, waiting items, results,
        dead letters). Its handles then raise ``UnavailableError``.

        Raises:
            NotFoundError: no such pipeline.
        """
        self._e.drop_pipeline(name)
