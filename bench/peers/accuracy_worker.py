"""One system of bench/accuracy_compare.py on one corpus, in its own process (so its peak RSS
is its own): fit on the training split, predict the test split, print one JSON line with
accuracy, macro-F1, train seconds, predict docs/s and peak RSS.

    python accuracy_worker.py SYSTEM NAME TRAIN.tsv TEST.tsv

SYSTEM: classiflow-bayes, classiflow-linear, classiflow-lsi (through the Python API, as a Python user calls
it), fasttext, sklearn-nb, sklearn-sgd, sklearn-svc. Every peer is as the issue names it;
nothing is tuned on the test split."""
import json
import os
import sys
import tempfile

from common import best_of, load_tsv, peak_rss_mb, timed

REPEATS = 5


def macro_f1(predicted, truth):
    """Mean F1 over the labels true or predicted at least once (as scikit-learn's f1_score
    average="macro"; counted here so that classiflow's process never imports scikit-learn, whose
    memory would count in its peak RSS)."""
    labels = set(truth) | set(predicted)
    total = 0.0
    for label in labels:
        tp = sum(p == t == label for p, t in zip(predicted, truth))
        n_pred = sum(p == label for p in predicted)
        n_true = sum(t == label for t in truth)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_true if n_true else 0.0
        total += 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return total / len(labels)


def classiflow_system(kind):
    # Chosen on a held-out fifth of each corpus's training split (docs/models.md), never the
    # test split: bayes as bench/compare.py; linear: the hinge loss by dual coordinate descent
    # (Debian 0.838 / 0.792 there, the log loss 0.824 / 0.778) with 2^18 features, which scored
    # as 2^20 in half the memory, and on Debian dropping English stop words (0.840 / 0.799
    # there; on spam they cost 0.003). Spam's 4,800 texts train on one thread, which repeats bit
    # for bit (Hogwild threads move its last digit from run to run). lsi: its defaults.
    options = {"bayes": dict(alpha=0.1, ngrams=1, stop_words=True, hash_bits=18),
               "linear": dict(loss="hinge", optimizer="dual", l2=1e-5, epochs=10, hash_bits=18,
                             quantize=True),
               "lsi": {}}[kind]
    per_corpus = {("linear", "debian"): dict(stop_words=True)}
    fit_threads = {("linear", "spam"): 1}

    def run(train_texts, train_labels, test_texts, corpus):
        import classiflow as cf

        engine = cf.Engine()
        model = engine.create_model("bench", kind=kind,
                                    **{**options, **per_corpus.get((kind, corpus), {})})
        _, train_s = timed(model.fit, train_texts, train_labels, progress=False,
                           threads=fit_threads.get((kind, corpus), 0))
        predicted, predict_s = best_of(REPEATS, model.classify_batch, test_texts,
                                       min_confidence=0.0)
        return predicted, train_s, predict_s

    return run


def fasttext_system(train_texts, train_labels, test_texts, corpus):
    import fasttext

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        for label, text in zip(train_labels, train_texts):
            f.write(f"__label__{label} {text}\n")
    try:
        model, train_s = timed(fasttext.train_supervised, input=f.name, wordNgrams=2, epoch=5,
                               thread=os.cpu_count(), verbose=0)
    finally:
        os.unlink(f.name)
    (labels, _), predict_s = best_of(REPEATS, model.predict, test_texts)
    return [p[0][len("__label__"):] for p in labels], train_s, predict_s


def sklearn_system(which):
    def run(train_texts, train_labels, test_texts, corpus):
        from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
        from sklearn.linear_model import SGDClassifier
        from sklearn.naive_bayes import MultinomialNB
        from sklearn.pipeline import make_pipeline
        from sklearn.svm import LinearSVC

        tfidf = dict(ngram_range=(1, 2), sublinear_tf=True)
        model = {"nb": lambda: make_pipeline(CountVectorizer(), MultinomialNB()),
                 "sgd": lambda: make_pipeline(TfidfVectorizer(**tfidf),
                                              SGDClassifier(loss="log_loss", random_state=42)),
                 "svc": lambda: make_pipeline(TfidfVectorizer(**tfidf), LinearSVC())}[which]()
        _, train_s = timed(model.fit, train_texts, train_labels)
        predicted, predict_s = best_of(REPEATS, model.predict, test_texts)
        return list(predicted), train_s, predict_s

    return run


SYSTEMS = {
    "classiflow-bayes": ("classiflow bayes (Python)", classiflow_system("bayes")),
    "classiflow-linear": ("classiflow linear (Python)", classiflow_system("linear")),
    "classiflow-lsi": ("classiflow lsi (Python)", classiflow_system("lsi")),
    "fasttext": ("fastText (wordNgrams=2, 5 epochs)", fasttext_system),
    "sklearn-nb": ("scikit-learn CountVectorizer + MultinomialNB", sklearn_system("nb")),
    "sklearn-sgd": ("scikit-learn TF-IDF + SGDClassifier(log_loss)", sklearn_system("sgd")),
    "sklearn-svc": ("scikit-learn TF-IDF (1-2, sublinear) + LinearSVC", sklearn_system("svc")),
}


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in SYSTEMS:
        sys.exit(f"usage: accuracy_worker.py {{{','.join(SYSTEMS)}}} NAME TRAIN.tsv TEST.tsv")
    system, name, train_path, test_path = sys.argv[1:]
    train_labels, train_texts = load_tsv(train_path)
    test_labels, test_texts = load_tsv(test_path)
    title, run = SYSTEMS[system]
    predicted, train_s, predict_s = run(train_texts, train_labels, test_texts, name)
    accuracy = sum(p == t for p, t in zip(predicted, test_labels)) / len(test_labels)
    print(json.dumps({"corpus": name, "system": title, "accuracy": accuracy,
                      "macro_f1": macro_f1(predicted, test_labels), "train_s": train_s,
                      "predict_docs_per_s": len(test_texts) / predict_s,
                      "rss_mb": peak_rss_mb()}), flush=True)


if __name__ == "__main__":
    main()
