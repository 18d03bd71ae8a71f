"""classiflow.Model and classiflow.Prediction."""

import json
import os
from dataclasses import dataclass
import sys
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union

import numpy as np

from . import _classiflow
from .errors import Error, InvalidArgumentError, NotFoundError

_Text = Union[str, bytes]
_Path = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

__all__ = ["Model", "Prediction"]


def _progress_callback(progress: Any) -> Optional[Callable[[int, int, int, float], Any]]:
    """Model.fit's ``progress`` argument as a callable or None (see there)."""
    if callable(progress):
        return progress
    if progress is False:
        return None
    try:
        from tqdm.auto import tqdm  # optional: python3-tqdm
    except ImportError:
        return None
    if progress is None and not sys.stderr.isatty():
        return None
    bar: Dict[str, Any] = {}

    def update(done: int, total: int, epoch: int, loss: float) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, unit="doc", desc="fit")
        bar["bar"].set_postfix(epoch=epoch, loss=f"{loss:.4f}", refresh=False)
        bar["bar"].update(done - bar["bar"].n)
        if done >= total:
            bar["bar"].close()

    return update


@dataclass(frozen=True)
class Prediction:
    """What one classification of one text produced.

    Attributes:
        label: the most probable label, or None when its probability is below the model's
            ``min_confidence`` (multilabel: below its own threshold).
        confidence: the probability of ``label``, or of the most probable label when
            ``label`` is None.
        scores: label -> log posterior probability; ``exp()`` of the values sums to 1
            (multilabel: each label's own log probability).
        model: the name of the model that answered.
        version: the model version that answered; all fields come from this one version.
        labels: the text's labels: a multilabel model's every label that reaches its
            threshold, most probable first; otherwise ``(label,)``, or ``()`` when None.
    """

    label: Optional[str]
    confidence: float
    scores: Dict[str, float]
    model: str
    version: int
    labels: Tuple[str, ...] = ()


_Labels = Union[str, Iterable[str]]


def _is_label_set(label: Any) -> bool:
    """A label set is any iterable of str that is not itself a str (or bytes)."""
    return not isinstance(label, (str, bytes))


def _column(values: Optional[Iterable[Any]], what: str) -> Optional[List[Any]]:
    """An optional per-item column as a list; a single string is a mistake, not a column."""
    if values is None:
        return None
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{what} must be a list of str or None, not a single {type(values).__name__}")
    return list(values)


class Model:
    """A named, trainable text classifier (multinomial Naive Bayes for ``kind="bayes"``).

    Get one from ``Engine.create_model()``, ``Engine.model()`` or ``Model.load()``. Every
    committed training call creates a new immutable version; classification never waits for
    training and each call is answered by exactly one version. A model from a durable engine
    persists every training step before it becomes visible.

    Texts are ``str`` or ``bytes`` (UTF-8; invalid bytes and NUL act as separators). Labels are
    ``str``. All methods are thread-safe; batch methods and training release the GIL.

    Errors: every method and property of a model from a closed engine raises
    ``UnavailableError``; of one that was dropped, ``NotFoundError`` (as the C API does).
    """

    __slots__ = ("_m",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("use Engine.create_model(), Engine.model() or Model.load() to get a Model")

    @classmethod
    def _wrap(cls, handle: "_classiflow.Model") -> "Model":
        model = object.__new__(cls)
        model._m = handle
        return model

    def __repr__(self) -> str:
        try:
            return f"<classiflow.Model {self.name!r} kind={self.kind!r} version={self.version}>"
        except Error as e:  # dropped, or its engine closed: repr() itself must not raise
            return f"<classiflow.Model ({e})>"

    @property
    def name(self) -> str:
        """The model's name."""
        return self._m.name

    @property
    def kind(self) -> str:
        """The classifier kind, e.g. ``"bayes"``."""
        return self._m.kind

    @property
    def labels(self) -> List[str]:
        """The labels of the current version, in the order ``predict_proba()`` columns use."""
        return self._m.labels

    @property
    def version(self) -> int:
        """The current version: 0 when untrained, +1 per committed training call."""
        return self._m.version

    @property
    def options(self) -> Dict[str, Any]:
        """Every option the model was created with (defaults filled in), as a new dict."""
        return json.loads(self._m.options_json)

    @property
    def multilabel(self) -> bool:
        """True for a multilabel model (``kind="linear"`` with ``multilabel=True``): each label
        is judged on its own and a text has every label whose probability reaches that label's
        threshold (see ``thresholds()``), any number of them."""
        return self._m.multilabel

    def train(self, label: _Labels, text: _Text) -> None:
        """Add one labelled document, as one new version. A multilabel model also takes a set
        of labels (any iterable of str, empty included).

        Raises:
            InvalidArgumentError: empty or oversized text (see the ``max_text_bytes`` option),
                an invalid label, or a label outside a fixed label set. Nothing changes.
            StorageError: the engine could not persist the step. Nothing changes.
            NotSupportedError: a set of labels for a model that is not multilabel.
        """
        if _is_label_set(label):
            self._m.train_label_sets([text], [label])
        else:
            self._m.train(label, text)

    def train_batch(self, texts: Iterable[_Text], labels: Iterable[_Labels]) -> None:
        """Add ``labels[i]`` / ``texts[i]`` for all i as ONE new version, all or nothing. For a
        multilabel model each ``labels[i]`` is a label or a set of labels.

        Analysis runs in parallel (see ``set_threads()``) with the GIL released.

        Raises:
            InvalidArgumentError: ``texts`` and ``labels`` differ in length, or any text or label
                is refused as in ``train()``. Nothing changes.
            TypeError: ``texts`` or ``labels`` is a single string or holds non-strings.
        """
        if self.multilabel:
            self._m.train_label_sets(texts, labels)
        else:
            self._m.train_batch(texts, labels)

    def fit(
        self,
        texts: Iterable[_Text],
        labels: Iterable[_Labels],
        epochs: Optional[int] = None,
        threads: int = 0,
        progress: Union[None, bool, Callable[[int, int, int, float], Any]] = None,
    ) -> None:
        """Batch training: learn ``labels[i]`` / ``texts[i]`` as well as the kind can, as ONE new
        version, all or nothing. The linear model makes ``epochs`` shuffled passes (default: its
        ``epochs`` option) on ``threads`` threads (0 = all the model may use; 1 repeats bit for
        bit for the model's ``seed``); for ``kind="bayes"`` it is ``train_batch()``. For a
        multilabel model each ``labels[i]`` is a label or a set of labels.

        ``progress``: a callable ``progress(done, total, epoch, loss)`` (documents done over all
        epochs, their total, the epoch under way from 1, its mean log loss so far), called
        between slices of a few thousand documents; ``True`` shows a ``tqdm`` bar (when the
        ``tqdm`` package is installed); ``None`` shows one when ``tqdm`` is installed and
        standard error is a terminal; ``False`` shows nothing. An exception raised by the
        callable stops its calls and is raised once the fit has committed.

        Raises:
            InvalidArgumentError: as ``train_batch()``, or ``epochs`` outside 1..1000, or
                ``threads`` < 0. Nothing changes.
        """
        self._m.fit(texts, labels, epochs, threads, _progress_callback(progress),
                    self.multilabel)

    def untrain(self, label: str, text: _Text) -> None:
        """Remove a document added before with the same label, as one new version.

        Raises:
            InvalidArgumentError: the document was never trained with this label (a count would
                go negative), or the text is refused as in ``train()``. Nothing changes.
        """
        self._m.untrain(label, text)

    def classify(
        self, text: _Text, k: Optional[int] = None, min_confidence: Optional[float] = None
    ) -> Union[Optional[str], List[str]]:
        """Classify one text. Empty text is allowed and yields the class priors.

        Args:
            text: the text.
            k: 1 returns the best label (or None); k > 1 returns a list of up to k labels,
                most probable first, each with probability >= the threshold (maybe empty).
                None: 1, or for a multilabel model the list of all its labels for the text.
            min_confidence: the threshold in [0, 1]; None = the model's ``min_confidence``
                (multilabel: each label's own threshold).

        Raises:
            InvalidArgumentError: oversized text, k < 1, min_confidence outside [0, 1], or a
                model that has no labels yet.
        """
        return self._m.classify(text, k, min_confidence)

    def classify_batch(
        self, texts: Iterable[_Text], min_confidence: Optional[float] = None
    ) -> List[Optional[str]]:
        """Classify many texts in parallel against one version, with the GIL released.

        Returns:
            For each text the best label, or None when its probability is below the threshold;
            for a multilabel model, each text's list of labels (most probable first).

        Raises:
            InvalidArgumentError: as ``classify()``; the message names the offending text.
        """
        return self._m.classify_batch(texts, min_confidence)

    def predict(self, text: _Text) -> Prediction:
        """Classify one text and return the full ``Prediction`` (label, scores, version).

        Raises:
            InvalidArgumentError: as ``classify()``.
        """
        return Prediction(*self._m.predict(text))

    def scores(self, text: _Text) -> Dict[str, float]:
        """Return label -> log posterior probability for one text (``exp()`` sums to 1).

        Raises:
            InvalidArgumentError: as ``classify()``.
        """
        return self._m.predict(text)[2]

    def predict_proba(self, texts: Iterable[_Text]) -> np.ndarray:
        """Return the label probabilities of many texts, computed in parallel from one version.

        Returns:
            A float64 array of shape (len(texts), number of labels); each row sums to 1 (for a
            multilabel model each value is its label's own probability) and the columns follow
            ``labels`` (labels added by later training come last).

        Raises:
            InvalidArgumentError: as ``classify()``.
        """
        return self._m.predict_proba(texts)

    def evaluate(self, texts: Iterable[_Text], labels: Iterable[_Labels]) -> Dict[str, Any]:
        """How well this version's labels match ``labels``: each text's most probable label
        (whatever ``min_confidence``), compared in parallel with the GIL released.

        Returns:
            ``{"count", "accuracy", "macro_f1", "labels", "per_label": {label: {"precision",
            "recall", "f1", "support"}}, "confusion": [[...]]}``; ``confusion[t][p]`` counts
            texts of true label ``labels[t]`` given ``labels[p]``. True labels the model does not
            know come last (always missed). macro-F1 averages the labels that were true or
            predicted at least once, as scikit-learn's ``f1_score(average="macro")`` does;
            ``"micro_f1"`` pools every decision. For a multilabel model ``labels[i]`` is a label
            or a set of labels, each text's labels are those reaching their thresholds,
            ``"accuracy"`` is the share of texts given exactly their labels, ``"multilabel"``
            is True and ``"confusion"`` is empty.

        Raises:
            InvalidArgumentError: the lengths differ, nothing to evaluate, a bad text, or a
                model with no labels yet.
        """
        return json.loads(self._m.evaluate_json(texts, labels, self.multilabel))

    def cross_validate(self, texts: Iterable[_Text], labels: Iterable[_Labels], k: int = 5,
                       seed: int = 42) -> Dict[str, Any]:
        """Stratified k-fold cross-validation of models with this model's options (this model
        is neither used nor changed): for each fold a fresh in-memory model is trained on the
        other folds and evaluated on it. Deterministic for a seed.

        Returns:
            ``{"accuracy", "macro_f1", "micro_f1"}`` (means over the folds) and ``"folds"``:
            one ``evaluate()`` result per fold. A multilabel model's folds are stratified by
            each text's first label in sorted order.

        Raises:
            InvalidArgumentError: k outside [2, number of texts], or as ``evaluate()``.
        """
        if not isinstance(seed, int) or not 0 <= seed < 2**64:
            raise InvalidArgumentError(f"seed must be an int in [0, 2**64), got {seed!r}")
        folds = [json.loads(f) for f in
                 self._m.cross_validate_json(texts, labels, k, seed, self.multilabel)]
        mean = {key: sum(f[key] for f in folds) / len(folds)
                for key in ("accuracy", "macro_f1", "micro_f1")}
        return {**mean, "folds": folds}

    def thresholds(self) -> Dict[str, float]:
        """A multilabel model's label -> the probability at which the label counts as present
        (0.5 until ``set_thresholds()`` or ``tune_thresholds()``).

        Raises:
            NotSupportedError: the model is not multilabel.
        """
        return dict(zip(self.labels, self._m.thresholds()))

    def set_thresholds(self, thresholds: Dict[str, float]) -> None:
        """Set some labels' thresholds (label -> probability in [0, 1]) as one new version.

        Raises:
            NotFoundError: a label the model does not have. Nothing changes.
            InvalidArgumentError: a threshold outside [0, 1]. Nothing changes.
            NotSupportedError: the model is not multilabel.
        """
        items = list(dict(thresholds).items())
        for label, value in items:
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise TypeError(f"the threshold of {label!r} must be a number, not "
                                f"{type(value).__name__}")
        self._m.set_thresholds([label for label, _ in items], [float(v) for _, v in items])

    def tune_thresholds(self, texts: Iterable[_Text], labels: Iterable[_Labels]) -> Dict[str, float]:
        """Set each label's threshold to the one that maximises its F1 on these texts, as one
        new version, and return every label's threshold. Give held-out texts (a validation
        split), not the training texts, on which every probability is too high. Labels none of
        the texts has keep theirs.

        Raises:
            InvalidArgumentError: the lengths differ, no texts, or a bad text. Nothing changes.
            NotSupportedError: the model is not multilabel.
        """
        chosen = self._m.tune_thresholds(texts, labels)
        return dict(zip(self.labels, chosen))

    def save(self, path: _Path) -> None:
        """Write the current version to a file, atomically (temporary file + rename).

        Raises:
            InvalidArgumentError: ``path`` is empty or contains a NUL character.
            StorageError: the file cannot be written.
        """
        self._m.save(os.fsencode(path))

    @classmethod
    def load(cls, path: _Path) -> "Model":
        """Read a model file written by ``save()``; the name stored in the file is kept.

        The model is standalone: it belongs to no engine, and training it changes only memory
        (``save()`` it to keep the result).

        Raises:
            InvalidArgumentError: ``path`` is empty or contains a NUL character.
            NotFoundError: no such file.
            StorageError: the file cannot be read.
            CorruptionError: the file is truncated or fails its header or checksum checks.
        """
        return cls._wrap(_classiflow.Model.load(os.fsencode(path)))

    def explain(self, text: _Text, n: int = 10) -> Dict[str, Any]:
        """Which n-grams of ``text`` moved its prediction.

        Returns:
            ``{"label", "versus", "log_odds", "base", "features", "version"}``: the most probable
            label against the runner-up ``versus`` (None for a model of one label), their
            log-odds, the part of it no feature gives (priors, biases), and up to ``n``
            (0 = all) ``{"ngram", "feature", "count", "weight"}`` by ``|weight|``, largest
            first; ``weight`` is the n-gram's share of the log-odds (positive: towards
            ``label``). ``base`` plus every weight is ``log_odds``.

        Raises:
            InvalidArgumentError: an oversized text, ``n`` < 0, or a model with no labels.
        """
        return self._m.explain(text, n)

    def top_features(self, label: str, n: int = 20,
                     texts: Iterable[_Text] = ()) -> List[Dict[str, Any]]:
        """The ``n`` most telling n-grams for ``label`` among those of ``texts`` (a hashed
        model keeps no vocabulary, so the texts, e.g. the training texts, name the candidates):
        ``{"ngram", "feature", "weight"}``, ``weight`` being the n-gram's weight for the label
        less its mean for the other labels, largest first.

        Raises:
            NotFoundError: the model has no such label.
            InvalidArgumentError: ``n`` < 1 or a bad text.
        """
        return self._m.top_features(label, n, texts)

    # Items: kind="lsi" (NotSupportedError for the other kinds). ------------------------------

    def add_item(self, text: _Text, label: Optional[str] = None, id: Optional[str] = None) -> str:
        """Add one item as a new version and return its id: ``id``, or the next sequence number
        when None. It is folded into the current index, so ``search()`` finds it at once; an
        item without a label is searchable but does not vote in ``classify()``.

        Raises:
            AlreadyExistsError: the model has an item with this id. Nothing changes.
            InvalidArgumentError: an empty or oversized text, a bad label, or a bad id (ids
                follow the label rules: 1..256 bytes of UTF-8 without control characters).
            NotSupportedError: the model's kind keeps no items.
        """
        return self._m.add_items([text], None if label is None else [label],
                                 None if id is None else [id])[0]

    def add_items(self, texts: Iterable[_Text], labels: Optional[Iterable[Optional[str]]] = None,
                  ids: Optional[Iterable[Optional[str]]] = None) -> List[str]:
        """Add many items as ONE new version, all or nothing, and return their ids. ``labels``
        and ``ids`` are None or as long as ``texts``; a None element means no label / an
        assigned id. Errors as ``add_item()``; AlreadyExistsError also for an id given twice.
        """
        texts = texts if isinstance(texts, (list, tuple)) else list(texts)
        return self._m.add_items(texts, _column(labels, "labels"), _column(ids, "ids"))

    def remove_item(self, id: str) -> None:
        """Remove the item ``id`` as a new version. Raises NotFoundError for an unknown id."""
        self._m.remove_items([id])

    def remove_items(self, ids: Iterable[str]) -> None:
        """Remove items as ONE new version; NotFoundError, changing nothing, when any id is
        unknown."""
        self._m.remove_items(ids if isinstance(ids, (list, tuple)) else list(ids))

    def build_index(self) -> None:
        """Build a new index over every item now (TF-IDF and a truncated SVD) and publish it as
        a new version; readers keep the last index until then, and items added meanwhile are
        kept. A no-op when nothing changed since the last build. (Rebuilds also start by
        themselves, on a background thread, once the items changed by the ``rebuild_after``
        share of those indexed.)"""
        self._m.build_index()

    def search(self, query: _Text, n: int = 10) -> List[Tuple[str, float, Optional[str]]]:
        """The ``n`` items most similar to ``query``, best first: ``(id, score, label)`` with
        the cosine similarity in the concept space (-1..1) and the item's label (None for an
        item added without one). Items not above ``min_similarity`` are left out.

        Raises:
            InvalidArgumentError: ``n`` < 1 or a bad text.
        """
        return self._m.search(query, n)

    def find_related(self, text_or_id: _Text, n: int = 10) -> List[Tuple[str, float, Optional[str]]]:
        """The ``n`` items most related to an item (when ``text_or_id`` is the id of one; the
        item itself is left out) or to a text (as ``search()``), best first."""
        if isinstance(text_or_id, str):
            try:
                return self._m.find_related(text_or_id, n)
            except NotFoundError:
                pass  # not an item's id: a text (a dropped model raises again below)
        return self._m.search(text_or_id, n)

    def index_status(self) -> Dict[str, Any]:
        """``{"items", "indexed_items", "changes", "rank", "terms", "rebuilding"}``: items in the
        model, items the current index was built on, items added or removed since (folded
        in), its dimensions and terms (0 before the first build), and whether a background
        rebuild is under way."""
        return self._m.index_status()

    def wait_for_rebuild(self) -> None:
        """Return once no background rebuild is under way (one may start with the next
        change)."""
        self._m.wait_for_rebuild()

    def to_bytes(self) -> bytes:
        """The current version as the bytes ``save()`` would write (for pickling, caches and
        transport). ``Model.from_bytes()`` reads them back."""
        return self._m.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Model":
        """The model in ``data`` (from ``to_bytes()`` or a model file), standalone as after
        ``load()``.

        Raises:
            TypeError: ``data`` is not ``bytes``.
            CorruptionError: ``data`` is not a whole, valid model file.
        """
        if not isinstance(data, bytes):
            raise TypeError(f"data must be bytes, not {type(data).__name__}")
        return cls._wrap(_classiflow.Model.from_bytes(data))
