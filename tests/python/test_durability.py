"""A process killed in the middle of training loses no committed step.

A child process trains one document per version into a RocksDB directory and reports each
version right after train() returned; the parent kills it with SIGKILL (no chance to close),
reopens the directory and checks that every reported version is there and the model is sound.
"""

import os
import signal
import subprocess
import sys
import textwrap

import classiflow as cf
from conftest import LABELS, make_docs

CHILD = textwrap.dedent(
    """
    import sys
    import classiflow as cf
    sys.path.insert(0, sys.argv[2])
    from conftest import make_docs
    engine = cf.Engine(sys.argv[1])
    model = engine.create_model("live", labels=["ham", "spam"])
    texts, labels = make_docs(100000, seed=3)
    for text, label in zip(texts, labels):
        model.train(label, text)
        print(model.version, flush=True)
    """
)


def test_sigkill_during_training_loses_no_committed_version(tmp_path):
    path = str(tmp_path / "db")
    here = os.path.dirname(os.path.abspath(__file__))
    child = subprocess.Popen([sys.executable, "-c", CHILD, path, here], stdout=subprocess.PIPE,
                             text=True)
    last = 0
    for line in child.stdout:  # let it commit a few hundred steps, then kill it mid-stride
        last = int(line)
        if last >= 300:
            break
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert last >= 300, "the child did not get going"

    with cf.Engine(path) as engine:  # the lock died with the process
        model = engine.model("live")
        assert model.version >= last, f"committed version {last} lost; reopened at {model.version}"
        assert model.labels == LABELS
        texts, labels = make_docs(50, seed=11)
        predicted = model.classify_batch(texts)
        assert sum(p == t for p, t in zip(predicted, labels)) >= 45
        model.train("spam", "still trainable after the crash")
        assert model.version > last
