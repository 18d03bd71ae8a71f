"""Exceptions raised by classiflow.

Every classiflow failure carries a status code (the same codes as the C++ ``Status`` and the C
``cf_status``) and a message. In Python each code is one class below; each class also derives
from the builtin exception a Python programmer would expect (``ValueError`` for bad arguments,
``KeyError`` for a missing model, ``OSError`` for file-system trouble), so generic handlers keep
working. ``.code`` holds the code name, e.g. ``"NotFound"``.

The compiled module maps codes to classes through ``_BY_CODE`` (at import it checks that every
code has a class), so this file is the single place that defines the mapping.
"""

__all__ = [
    "Error",
    "InvalidArgumentError",
    "NotFoundError",
    "AlreadyExistsError",
    "StorageError",
    "CorruptionError",
    "UnavailableError",
    "BusyError",
    "InternalError",
    "NotSupportedError",
]


class Error(Exception):
    """Base class of every error classiflow raises.

    Attributes:
        code: the status code name, e.g. ``"InvalidArgument"``.
    """

    code = "Unknown"


class InvalidArgumentError(Error, ValueError):
    """An argument is unusable: bad name, label, option, text size, ... Nothing changed."""

    code = "InvalidArgument"


class NotFoundError(Error, KeyError):
    """A named model (or a file) does not exist, or the model was dropped."""

    code = "NotFound"

    def __str__(self) -> str:
        # KeyError.__str__ shows repr(message), quotes and all; a message is prose.
        return str(self.args[0]) if len(self.args) == 1 else super().__str__()


class AlreadyExistsError(Error, ValueError):
    """Creating something whose name is taken, such as a model."""

    code = "AlreadyExists"


class StorageError(Error, OSError):
    """The file system or database refused an operation (not writable, disk full, ...)."""

    code = "IOError"


class CorruptionError(Error):
    """Stored or loaded bytes failed their checks (bad header, checksum, truncation)."""

    code = "Corruption"


class UnavailableError(Error):
    """The engine is not available, for example because it was closed."""

    code = "Unavailable"


class BusyError(UnavailableError):
    """A resource, such as a data directory, is held by another engine or process."""

    code = "Busy"


class InternalError(Error, RuntimeError):
    """A bug or an unexpected failure inside classiflow. Please report it."""

    code = "Internal"


class NotSupportedError(Error, NotImplementedError):
    """A verb this model kind or engine does not have, e.g. training through an engine opened
    with ``mode="read"``."""

    code = "NotSupported"


_BY_CODE = {
    cls.code: cls
    for cls in (
        InvalidArgumentError,
        NotFoundError,
        AlreadyExistsError,
        StorageError,
        CorruptionError,
        UnavailableError,
        BusyError,
        InternalError,
        NotSupportedError,
    )
}
