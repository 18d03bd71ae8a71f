"""fastText peer: supervised training with wordNgrams=2 (fastText's own recipe for text
classification), on one thread and on all cores; predict() on the whole list of texts, the
fastest way to call it from Python."""
import os
import tempfile

from common import REPEATS, accuracy, args, best_of, emit, load_tsv, peak_rss_mb, timed

import fasttext

SYSTEM = "fastText (Python, wordNgrams=2)"


def write_fasttext_file(labels, texts):
    handle = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8")
    with handle:
        for label, text in zip(labels, texts):
            handle.write(f"__label__{label} {text}\n")
    return handle.name


def main():
    name, train_path, test_path = args()
    train_labels, train_texts = load_tsv(train_path)
    test_labels, test_texts = load_tsv(test_path)
    path = write_fasttext_file(train_labels, train_texts)
    try:
        for threads in (1, os.cpu_count()):
            model, seconds = timed(fasttext.train_supervised, input=path, wordNgrams=2,
                                   thread=threads, verbose=0)
            emit(name, SYSTEM, "train_batch", threads=threads, docs=len(train_texts),
                 seconds=seconds, docs_per_s=len(train_texts) / seconds)
        (predicted, _), seconds = best_of(REPEATS, model.predict, test_texts)
        predicted = [p[0][len("__label__"):] for p in predicted]
        emit(name, SYSTEM, "classify_batch", threads=1, docs=len(test_texts), seconds=seconds,
             docs_per_s=len(test_texts) / seconds, accuracy=accuracy(predicted, test_labels))
    finally:
        os.unlink(path)
    emit(name, SYSTEM, "peak rss", rss_mb=peak_rss_mb())


if __name__ == "__main__":
    main()
