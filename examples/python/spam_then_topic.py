"""A spam filter in front of a topic classifier: only ham is classified by topic, spam goes to
its own sink, and an enrich callback (any Python function) adds a field to every ham message.

    python examples/python/spam_then_topic.py [DATA_DIR]
"""
import sys
import tempfile

import classiflow as cf

SPAM = {
    "spam": ["cheap pills now", "win money fast click here", "free prize claim now",
             "lowest price viagra", "you won a lottery", "make money from home now"],
    "ham": ["meeting moved to monday", "lunch at noon?", "the build is green again",
            "please review my patch", "minutes of the standup", "dinner at eight"],
}
TOPIC = {
    "work": ["meeting moved to monday", "the build is green again", "please review my patch",
             "minutes of the standup", "deadline for the report"],
    "personal": ["lunch at noon?", "dinner at eight", "birthday party saturday",
                 "call mum tonight", "holiday photos attached"],
}
MAILS = ["win money fast", "review my patch please", "dinner at eight tonight?", "free prize"]


def priority(item):
    """An enrich callback: any Python function returning fields to merge."""
    label = item["predictions"]["topic"]["label"]
    return {"priority": "high" if label == "work" else "normal"}


SPEC = {
    "stages": [
        {"name": "spam", "classify": "spam", "routes": {"ham": "topic", "*": "junk"}},
        {"name": "topic", "classify": "topic", "next": "prioritise"},
        {"name": "prioritise", "enrich": priority, "next": "inbox"},
        {"name": "junk", "sink": {"ttl_s": 3600}},
        {"name": "inbox", "sink": {}},
    ],
}


def train(eng, name, data):
    if name not in eng.models():
        model = eng.create_model(name, labels=sorted(data))
        model.train_batch([t for k in data for t in data[k]], [k for k in data for _ in data[k]])


def main(path):
    with cf.Engine(path) as eng:
        train(eng, "spam", SPAM)
        train(eng, "topic", TOPIC)
        pipeline = eng.pipeline("mail", SPEC)
        ids = pipeline.submit_many(MAILS)
        pipeline.flush()
        ok = True
        for mail_id, text in zip(ids, MAILS):
            result = pipeline.result(mail_id)
            print(f"{' -> '.join(result['route']):32} {result['fields']}  {text}")
            junk = result["route"][-1] == "junk"
            ok = ok and (junk == ("topic" not in result["predictions"]))
        return ok


if __name__ == "__main__":
    if len(sys.argv) > 1:
        ok = main(sys.argv[1])
    else:
        with tempfile.TemporaryDirectory() as tmp:
            ok = main(tmp + "/data")
    sys.exit(0 if ok else 1)
