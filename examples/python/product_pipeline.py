"""A product pipeline: a category model routes each listing; electronics go to an extractor
that looks for GTIN/EAN codes, and a GTIN check-digit validator runs only when a code was
found; everything else goes straight to the results. Listings with a bad code are sent to a
review sink.

    python examples/python/product_pipeline.py [DATA_DIR]
"""
import sys
import tempfile

import classiflow as cf

TRAIN = {
    "electronics": ["usb charger 20w fast charging", "bluetooth headphones noise cancelling",
                    "laptop stand aluminium", "hdmi cable 2m 4k", "wireless mouse ergonomic",
                    "phone case with screen protector"],
    "grocery": ["organic olive oil 1l", "dark chocolate 70 percent", "green tea bags 100",
                "basmati rice 5kg", "espresso coffee beans", "sea salt flakes"],
}
LISTINGS = [
    ("l1", "wireless mouse ergonomic EAN 4006381333931"),   # a valid EAN-13
    ("l2", "usb charger 20w EAN 4006381333932"),            # a wrong check digit
    ("l3", "bluetooth headphones, no code given"),
    ("l4", "organic olive oil 1l 4006381333932"),            # grocery: no extraction
]

SPEC = {
    "stages": [
        {"name": "category", "classify": "categories",
         "routes": {"electronics": "identifiers", "*": "results"}},
        {"name": "identifiers", "extract": ["gtin"], "next": "gtin_check"},
        {"name": "gtin_check", "validate": ["gtin"],
         "on_valid": "results", "on_invalid": "review", "on_absent": "results"},
        {"name": "review", "sink": {}},
        {"name": "results", "sink": {}},
    ],
}


def main(path):
    with cf.Engine(path) as eng:
        if "categories" not in eng.models():
            model = eng.create_model("categories", labels=sorted(TRAIN))
            model.train_batch([t for k in TRAIN for t in TRAIN[k]],
                              [k for k in TRAIN for _ in TRAIN[k]])
        pipeline = eng.pipeline("products", SPEC)
        pipeline.submit_many(LISTINGS)
        pipeline.flush()
        routes = {}
        for listing_id, text in LISTINGS:
            result = pipeline.result(listing_id)
            routes[listing_id] = result["route"]
            print(f"{listing_id}: {' -> '.join(result['route']):45} "
                  f"fields={result['fields']} valid={result['valid']}")
        return (routes["l1"][-1] == "results" and routes["l2"][-1] == "review"
                and "gtin_check" not in routes["l4"])


if __name__ == "__main__":
    if len(sys.argv) > 1:
        ok = main(sys.argv[1])
    else:
        with tempfile.TemporaryDirectory() as tmp:
            ok = main(tmp + "/data")
    sys.exit(0 if ok else 1)
