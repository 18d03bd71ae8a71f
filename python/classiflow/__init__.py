"""classiflow: an embedded text-classification engine.

    import classiflow as cf
    with cf.Engine("data/") as eng:            # cf.Engine() is in memory
        m = eng.create_model("spam", labels=["ham", "spam"])
        m.train_batch(["cheap pills now", "lunch at noon?"], ["spam", "ham"])
        m.classify("cheap pills")              # -> "spam"
        p = eng.pipeline("mail", {"stages": [
            {"name": "spam", "classify": "spam", "routes": {"spam": "junk", "*": "inbox"}},
            {"name": "junk", "sink": {}}, {"name": "inbox", "sink": {}}]})
        p.result(p.submit("win cheap pills"))["route"]   # -> ["spam", "junk"]

See ``Engine``, ``Model``, ``Prediction`` and ``Pipeline``; errors are subclasses of
``classiflow.Error``.
"""

from ._classiflow import __version__, set_threads
from .engine import Engine
from .errors import (
    AlreadyExistsError,
    BusyError,
    CorruptionError,
    Error,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    NotSupportedError,
    StorageError,
    UnavailableError,
)
from .model import Model, Prediction
from .pipeline import Pipeline

from . import errors as _errors

__all__ = ["__version__", "set_threads", "Engine", "Model", "Pipeline", "Prediction",
           *_errors.__all__]
