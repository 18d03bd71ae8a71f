"""classiflow through its Python API, as a Python user calls it: train_batch and
classify_batch on lists of str (the GIL is released inside), one thread and all cores."""
import os

from common import REPEATS, accuracy, args, best_of, emit, load_tsv, peak_rss_mb, timed

import classiflow as cf

SYSTEM = "classiflow (Python)"
OPTIONS = dict(alpha=0.1, ngrams=1, stop_words=True, hash_bits=18)  # the benchmark configuration


def main():
    name, train_path, test_path = args()
    train_labels, train_texts = load_tsv(train_path)
    test_labels, test_texts = load_tsv(test_path)
    with cf.Engine() as engine:
        for threads in (1, os.cpu_count()):
            cf.set_threads(threads)
            model = engine.create_model(f"bench{threads}", **OPTIONS)
            _, seconds = timed(model.train_batch, train_texts, train_labels)
            emit(name, SYSTEM, "train_batch", threads=threads, docs=len(train_texts),
                 seconds=seconds, docs_per_s=len(train_texts) / seconds)
            predicted, seconds = best_of(REPEATS, model.classify_batch, test_texts)
            emit(name, SYSTEM, "classify_batch", threads=threads, docs=len(test_texts),
                 seconds=seconds, docs_per_s=len(test_texts) / seconds,
                 accuracy=accuracy(predicted, test_labels))
            engine.drop_model(f"bench{threads}")
    emit(name, SYSTEM, "peak rss", rss_mb=peak_rss_mb())


if __name__ == "__main__":
    main()
