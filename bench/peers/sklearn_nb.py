"""scikit-learn peer: HashingVectorizer(alternate_sign=False) + MultinomialNB, with the same
analysis choices as classiflow's benchmark configuration (unigrams, English stop words,
alpha=0.1) and raw counts (norm=None; the default l2 norm costs MultinomialNB accuracy, e.g.
0.30 instead of 0.56 on the Debian corpus, at the same speed). 2^20 hashed features, sklearn's
default. scikit-learn runs these on one thread."""
from common import REPEATS, accuracy, args, best_of, emit, load_tsv, peak_rss_mb, timed

from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.naive_bayes import MultinomialNB

SYSTEM = "scikit-learn HashingVectorizer+MultinomialNB"


def main():
    name, train_path, test_path = args()
    train_labels, train_texts = load_tsv(train_path)
    test_labels, test_texts = load_tsv(test_path)
    vectorizer = HashingVectorizer(alternate_sign=False, norm=None, stop_words="english")
    model = MultinomialNB(alpha=0.1)

    def train():
        model.fit(vectorizer.transform(train_texts), train_labels)

    def classify():
        return model.predict(vectorizer.transform(test_texts))

    _, seconds = timed(train)
    emit(name, SYSTEM, "train_batch", threads=1, docs=len(train_texts), seconds=seconds,
         docs_per_s=len(train_texts) / seconds)
    predicted, seconds = best_of(REPEATS, classify)
    emit(name, SYSTEM, "classify_batch", threads=1, docs=len(test_texts), seconds=seconds,
         docs_per_s=len(test_texts) / seconds, accuracy=accuracy(predicted, test_labels))
    emit(name, SYSTEM, "peak rss", rss_mb=peak_rss_mb())


if __name__ == "__main__":
    main()
