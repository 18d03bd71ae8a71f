"""classiflow.Engine."""

import json
import os
from types import TracebackType
from typing import Any, Iterable, List, Optional, Type, Union

from . import _classiflow
from .model import Model

__all__ = ["Engine"]

_MEMORY = "memory:"


class Engine:
    """One open data directory and the models in it. Thread-safe; a context manager.

    Args:
        path: None for an in-memory engine (nothing survives ``close()``); otherwise a data
            directory as str or os.PathLike, or ``"rocksdb:PATH"``. The directory is created
            if missing and locked while the engine is open.
        sync: fsync every committed training step. False still survives a process crash; a
            power loss may lose the last steps.

    Raises:
        BusyError: another engine, in this or another process, has the directory open.
        StorageError: the directory cannot be created or written.
        CorruptionError: a stored model fails its checks (nothing is opened).

    After ``close()`` every call on the engine, and on models from it, raises
    ``UnavailableError``. A model handle keeps its engine open until ``close()`` is called.
    """

    __slots__ = ("_e",)

    def __init__(
        self,
        path: Union[None, str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"] = None,
        *,
        sync: bool = False,
    ) -> None:
        # The C++ side takes bytes: a path is bytes to the OS, whatever its encoding.
        uri = _MEMORY if path is None else os.fsencode(path)
        self._e = _classiflow.Engine(uri, sync=sync)

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
