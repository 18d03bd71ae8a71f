"""scikit-learn-compatible estimators for classiflow's model kinds.

    from classiflow.sklearn import LinearClassifier
    from sklearn.model_selection import cross_val_score
    cross_val_score(LinearClassifier(epochs=5), texts, labels, cv=5)

``BayesClassifier`` (kind ``"bayes"``), ``LinearClassifier`` (kind ``"linear"``) and
``LsiClassifier`` (kind ``"lsi"``) take raw texts as X (any iterable of ``str`` / ``bytes``) and any hashable class values as y. They follow
scikit-learn's estimator contract: ``fit``, ``partial_fit``, ``predict``, ``predict_proba``,
``score``, ``get_params`` / ``set_params``, ``classes_``; ``sklearn.base.clone`` copies them and
``pickle`` stores the fitted model through ``Model.to_bytes()``. This module never imports
scikit-learn, so neither does ``import classiflow``.

Each estimator keeps its model in a private in-memory engine (or, after unpickling, as a
standalone model): nothing touches disk.
"""

from typing import Any, Dict, Iterable, List, Optional

import numpy as np

from .engine import Engine
from .model import Model

__all__ = ["BayesClassifier", "LinearClassifier", "LsiClassifier"]

_ANALYZER = ("lowercase", "stop_words", "stemmer", "ngrams", "hash_bits")


class _Classifier:
    """The shared estimator: the subclasses name the kind and their parameters."""

    _estimator_type = "classifier"  # what scikit-learn's is_classifier() looks for
    _kind = ""
    _params: tuple = ()
    _fit_params = ("epochs", "threads")  # passed to Model.fit(), not to the model's options

    def get_params(self, deep: bool = True) -> Dict[str, Any]:
        return {name: getattr(self, name) for name in self._params}

    def set_params(self, **params: Any) -> "_Classifier":
        for name, value in params.items():
            if name not in self._params:
                raise ValueError(f"invalid parameter {name!r} for {type(self).__name__} "
                                 f"(valid: {', '.join(self._params)})")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # -- fitting ---------------------------------------------------------------------------

    def _new_model(self) -> Model:
        options = {k: v for k, v in self.get_params().items()
                   if k not in self._fit_params and v is not None}
        self._engine = Engine()
        return self._engine.create_model("estimator", kind=self._kind, **options)

    def _label_names(self, y: Iterable[Any]) -> List[str]:
        names = [self._name_of[c] if c in self._name_of else None for c in y]
        if any(n is None for n in names):
            unknown = next(c for c, n in zip(y, names) if n is None)
            raise ValueError(f"y has the class {unknown!r}, which is not in classes_")
        return names

    def _set_classes(self, classes: Iterable[Any]) -> None:
        self.classes_ = np.unique(np.asarray(list(classes), dtype=object))
        self._name_of = {c: str(c) for c in self.classes_}
        if len(set(self._name_of.values())) != len(self._name_of):
            raise ValueError("two classes have the same str(); use distinct class values")

    def fit(self, X: Iterable[Any], y: Iterable[Any]) -> "_Classifier":
        """Fit a fresh model on (X, y) (``Model.fit()``: several passes for the linear kind)."""
        texts, y = list(X), list(y)
        self._set_classes(y)
        self._model = self._new_model()
        fit = {k: getattr(self, k) for k in self._fit_params if hasattr(self, k)}
        self._model.fit(texts, self._label_names(y), progress=False, **fit)
        return self

    def partial_fit(self, X: Iterable[Any], y: Iterable[Any],
                    classes: Optional[Iterable[Any]] = None) -> "_Classifier":
        """Online learning: one more step on (X, y) as one new version (``train_batch()``).
        The first call needs ``classes`` (all classes y will ever hold), as scikit-learn's
        online estimators do."""
        if not hasattr(self, "_model"):
            if classes is None:
                raise ValueError("the first partial_fit() call needs classes=")
            self._set_classes(classes)
            self._model = self._new_model()
        self._model.train_batch(list(X), self._label_names(list(y)))
        return self

    # -- prediction ------------------------------------------------------------------------

    def _fitted(self) -> Model:
        if not hasattr(self, "_model"):
            raise AttributeError(f"this {type(self).__name__} is not fitted yet: call fit()")
        return self._model

    def predict(self, X: Iterable[Any]) -> np.ndarray:
        model = self._fitted()
        by_name = {name: c for c, name in self._name_of.items()}
        names = model.classify_batch(list(X), min_confidence=0.0)
        return np.array([by_name[n] for n in names], dtype=self.classes_.dtype)

    def predict_proba(self, X: Iterable[Any]) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_`` (a class the model has not
        seen in training yet has probability 0)."""
        model = self._fitted()
        proba = model.predict_proba(list(X))
        column = {name: i for i, name in enumerate(model.labels)}
        out = np.zeros((proba.shape[0], len(self.classes_)))
        for j, c in enumerate(self.classes_):
            if self._name_of[c] in column:
                out[:, j] = proba[:, column[self._name_of[c]]]
        return out

    def score(self, X: Iterable[Any], y: Iterable[Any]) -> float:
        """Mean accuracy, as scikit-learn's classifiers define score()."""
        y = np.asarray(list(y), dtype=object)
        return float(np.mean(self.predict(X).astype(object) == y))

    # -- pickling --------------------------------------------------------------------------

    def __getstate__(self) -> Dict[str, Any]:
        state = {"params": self.get_params()}
        if hasattr(self, "_model"):
            state["classes"] = list(self.classes_)
            state["model"] = self._model.to_bytes()
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.set_params(**state["params"])
        if "model" in state:
            self._set_classes(state["classes"])
            self._model = Model.from_bytes(state["model"])


class BayesClassifier(_Classifier):
    """Multinomial Naive Bayes over hashed word n-grams (kind ``"bayes"``); parameters as the
    model options of the same names (``Engine.create_model``)."""

    _kind = "bayes"
    _params = ("alpha", "fit_prior") + _ANALYZER
    _fit_params = ()

    def __init__(self, alpha: float = 1.0, fit_prior: bool = True, lowercase: bool = True,
                 stop_words: bool = False, stemmer: str = "", ngrams: int = 2,
                 hash_bits: int = 20):
        self.alpha = alpha
        self.fit_prior = fit_prior
        self.lowercase = lowercase
        self.stop_words = stop_words
        self.stemmer = stemmer
        self.ngrams = ngrams
        self.hash_bits = hash_bits


class LinearClassifier(_Classifier):
    """Softmax regression over hashed word n-grams (kind ``"linear"``); parameters as the model
    options of the same names, plus ``threads`` for ``fit()`` (0 = all cores; 1 repeats bit for
    bit for ``seed``).

    ``multilabel=True``: one-vs-all, as scikit-learn's multilabel estimators: y is a 2-D
    indicator array (n_samples × n_classes, as ``MultiLabelBinarizer`` makes), ``classes_`` is
    ``arange(n_classes)``, ``predict()`` returns an indicator array (a label is set when its
    probability reaches its threshold, see ``Model.tune_thresholds()`` on ``model_``),
    ``predict_proba()`` each label's own probability and ``score()`` the share of rows
    predicted exactly (subset accuracy, as scikit-learn's)."""

    _kind = "linear"
    _params = ("loss", "learning_rate", "l2", "optimizer", "epochs", "seed", "idf", "quantize",
               "prune", "multilabel", "threads") + _ANALYZER

    def __init__(self, loss: str = "log", learning_rate: float = 4.0, l2: float = 1e-6,
                 optimizer: str = "adagrad",
                 epochs: int = 5, seed: int = 42, idf: bool = True, quantize: bool = False,
                 prune: float = 0.05, multilabel: bool = False, threads: int = 0,
                 lowercase: bool = True, stop_words: bool = False, stemmer: str = "",
                 ngrams: int = 2, hash_bits: int = 20):
        self.loss = loss
        self.learning_rate = learning_rate
        self.l2 = l2
        self.optimizer = optimizer
        self.epochs = epochs
        self.seed = seed
        self.idf = idf
        self.quantize = quantize
        self.prune = prune
        self.multilabel = multilabel
        self.threads = threads
        self.lowercase = lowercase
        self.stop_words = stop_words
        self.stemmer = stemmer
        self.ngrams = ngrams
        self.hash_bits = hash_bits

    # -- multilabel: y is an indicator array ----------------------------------------------

    def _label_sets(self, y: Any) -> List[List[str]]:
        indicator = np.asarray(y)
        if indicator.ndim != 2 or indicator.shape[1] != len(self.classes_):
            raise ValueError(f"a multilabel y must be a 2-D indicator array with "
                             f"{len(self.classes_)} columns, not of shape {indicator.shape}")
        names = [self._name_of[c] for c in self.classes_]
        return [[names[j] for j in np.flatnonzero(row)] for row in indicator]

    def _set_indicator_classes(self, y: Any) -> None:
        shape = np.shape(y)
        if len(shape) != 2:
            raise ValueError(f"a multilabel y must be a 2-D indicator array, not of shape {shape}")
        self._set_classes(range(shape[1]))

    def fit(self, X: Iterable[Any], y: Iterable[Any]) -> "LinearClassifier":
        if not self.multilabel:
            return super().fit(X, y)
        self._set_indicator_classes(y)
        self._model = self._new_model()
        self._model.fit(list(X), self._label_sets(y), epochs=self.epochs, threads=self.threads,
                        progress=False)
        return self

    def partial_fit(self, X: Iterable[Any], y: Iterable[Any],
                    classes: Optional[Iterable[Any]] = None) -> "LinearClassifier":
        if not self.multilabel:
            return super().partial_fit(X, y, classes)
        if not hasattr(self, "_model"):
            self._set_indicator_classes(y)
            self._model = self._new_model()
        self._model.train_batch(list(X), self._label_sets(y))
        return self

    def predict(self, X: Iterable[Any]) -> np.ndarray:
        if not self.multilabel:
            return super().predict(X)
        column = {self._name_of[c]: j for j, c in enumerate(self.classes_)}
        sets = self._fitted().classify_batch(list(X))
        out = np.zeros((len(sets), len(self.classes_)), dtype=int)
        for i, labels in enumerate(sets):
            for label in labels:
                out[i, column[label]] = 1
        return out

    def score(self, X: Iterable[Any], y: Iterable[Any]) -> float:
        if not self.multilabel:
            return super().score(X, y)
        return float(np.mean(np.all(self.predict(X) == (np.asarray(y) != 0), axis=1)))

    @property
    def model_(self) -> Model:
        """The fitted classiflow model (to tune its thresholds, explain, save ...)."""
        return self._fitted()


class LsiClassifier(_Classifier):
    """Classification by meaning (kind ``"lsi"``): the training texts become items of a
    latent semantic index and a text takes the similarity-weighted vote of its ``neighbors``
    nearest items; parameters as the model options of the same names. ``partial_fit()`` adds
    items, folded into the index (rebuilt in the background after ``rebuild_after``)."""

    _kind = "lsi"
    _params = ("rank", "max_terms", "neighbors", "min_similarity", "rebuild_after",
               "power_iterations", "seed") + _ANALYZER
    _fit_params = ()

    def __init__(self, rank: int = 100, max_terms: int = 65536, neighbors: int = 10,
                 min_similarity: float = 0.01, rebuild_after: float = 0.25,
                 power_iterations: int = 2, seed: int = 42, lowercase: bool = True,
                 stop_words: bool = False, stemmer: str = "", ngrams: int = 2,
                 hash_bits: int = 20):
        self.rank = rank
        self.max_terms = max_terms
        self.neighbors = neighbors
        self.min_similarity = min_similarity
        self.rebuild_after = rebuild_after
        self.power_iterations = power_iterations
        self.seed = seed
        self.lowercase = lowercase
        self.stop_words = stop_words
        self.stemmer = stemmer
        self.ngrams = ngrams
        self.hash_bits = hash_bits
