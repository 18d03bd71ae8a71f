"""The seed's sentiment service in one process: reviews are classified positive / negative /
neutral, results are kept for a day, and every result is handed to a webhook (here an
in-process function; a real one would POST it) -- no web endpoint, queue, worker pool or
results database to run beside it.

    python examples/python/sentiment_service.py [DATA_DIR]
"""
import sys
import tempfile

import classiflow as cf

TRAIN = {
    "positive": ["great product, works perfectly", "love it, excellent quality",
                 "fantastic service, very happy", "wonderful, would buy again",
                 "excellent value and fast delivery", "really good, recommended"],
    "negative": ["terrible, broke after a day", "awful quality, want a refund",
                 "very disappointed, does not work", "worst purchase ever",
                 "bad service and late delivery", "poor build, returned it"],
    "neutral": ["arrived on tuesday", "it is a phone case", "the box contains a cable",
                "ordered the blue one", "delivery took five days", "average, nothing special"],
}
REVIEWS = ["love it, great quality", "broke after a week, terrible", "arrived in a box",
           "excellent, very happy with it", "awful, refund please", "it is blue"]

SPEC = {
    "stages": [
        {"name": "sentiment", "classify": "sentiment", "next": "store"},
        {"name": "store", "sink": {"ttl_s": 86400}},
    ],
    "durability": "buffered",
}


def main(path):
    with cf.Engine(path) as eng:
        if "sentiment" not in eng.models():
            model = eng.create_model("sentiment", labels=sorted(TRAIN))
            texts = [t for label in TRAIN for t in TRAIN[label]]
            labels = [label for label in TRAIN for _ in TRAIN[label]]
            model.train_batch(texts, labels)
        delivered = []
        pipeline = eng.pipeline("reviews", SPEC)
        pipeline.on_result(delivered.append)  # the webhook: called once per committed result
        ids = pipeline.submit_many(REVIEWS)
        pipeline.flush()
        for review_id, text in zip(ids, REVIEWS):
            result = pipeline.result(review_id)
            prediction = result["predictions"]["sentiment"]
            print(f"{prediction['label']:9} {prediction['confidence']:.2f}  {text}")
        stats = pipeline.stats()
        print(f"webhook calls: {len(delivered)}; completed: {stats['completed']}; "
              f"p99 latency: {stats['latency_ms']['p99']:.2f} ms")
        return len(delivered) == len(REVIEWS)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        ok = main(sys.argv[1])
    else:
        with tempfile.TemporaryDirectory() as tmp:
            ok = main(tmp + "/data")
    sys.exit(0 if ok else 1)
