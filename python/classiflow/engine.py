"""classiflow.Engine."""

import json
import os
from types import TracebackType
from typing import Any, Dict, Iterable, List, Optional, Type, Union

from . import _classiflow
from .model import Model

__all__ = ["Engine"]

_MEMORY = "memory:"


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

    Raises:
        InvalidArgumentError: ``""`` or a path with a NUL byte; a directory that is not
            classiflow's; bad options.
        BusyError: a writer, in this or another process, holds the directory (any spelling).
        StorageError: the directory cannot be created or written.
        CorruptionError: stored data fails its checks, naming the file (nothing is opened).

    After ``close()`` every call on the engine, and on models from it, raises
    ``UnavailableError``. A model handle keeps its engine open until ``close()`` is called.
    """

    __slots__ = ("_e",)

    def __init__(
        self,
        path: Union[None, str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"] = None,
        *,
        sync: bool = False,
        mode: str = "write",
        recover: bool = False,
        follow_interval_ms: int = 5,
    ) -> None:
        # The C++ side takes bytes: a path is bytes to the OS, whatever its encoding.
        uri = _MEMORY if path is None else os.fsencode(path)
        options = {"sync": sync, "mode": mode, "recover": recover,
                   "follow_interval_ms": follow_interval_ms}
        self._e = _classiflow.Engine(uri, json.dumps(options))

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

        Raises:
            StorageError: the store failed to close cleanly.
        """
        self._e.close()

    def create_model(
        self, name: str, kind: str = "bayes", labels: Optional[Iterable[str]] = None, **options: Any
    ) -> Model:
        """Create an untrained model (version 0) and persist it.

        Args:
            name: 1..128 characters of ``[A-Za-z0-9_.-]``, not starting with ``"."``.
            kind: the classifier kind; only ``"bayes"`` exists so far.
            labels: a fixed label set; None = labels are added as training uses them.
            **options: model options, e.g. ``min_confidence=0.6``, ``alpha=1.0``,
                ``fit_prior=True``, ``lowercase=True``, ``stop_words=False``,
                ``stemmer="english"``, ``normalize_urls/emails/numbers=True``, ``ngrams=2``,
                ``hash_bits=20``, ``max_text_bytes=1048576``.

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
