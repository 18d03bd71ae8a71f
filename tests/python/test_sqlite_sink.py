"""The SQLite results sink and export_sqlite from Python: the rows pandas.read_sql sees, the
same counts as analytics(), a relative file in the data directory, exports from writers and
readers, refused files, and a writer killed with SIGKILL mid-stream whose every acknowledged
result is in the table exactly once after the pipeline reopens."""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

import classiflow as cf
from conftest import engine_uri

pd = pytest.importorskip("pandas")


def spec(file):
    return {"stages": [
        {"name": "sentiment", "classify": "sentiment", "routes": {"pos": "ids", "*": "unhappy"}},
        {"name": "ids", "extract": ["gtin"], "next": "happy"},
        {"name": "happy", "sink": {"sqlite": str(file)}},
        {"name": "unhappy", "sink": {"sqlite": str(file), "keep_text": True}},
    ]}


def train(eng):
    model = eng.create_model("sentiment", labels=["pos", "neg"])
    model.train_batch(["good great fine", "great good nice", "bad awful poor", "awful bad"] * 10,
                      ["pos", "pos", "neg", "neg"] * 10)


def items(n, start=0):
    return [(f"r{i}", "good great 4006381333931" if i % 3 else "bad awful poor")
            for i in range(start, start + n)]


@pytest.mark.parametrize("backend", ["memory", "rocksdb", "sqlite"])
def test_pandas_reads_the_sink_and_its_counts_match_analytics(tmp_path, backend):
    file = tmp_path / "results.db"
    with cf.Engine(engine_uri(tmp_path, backend), threads=2) as eng:
        train(eng)
        p = eng.pipeline("reviews", spec(file))
        p.submit_many(items(600))
        p.flush()  # returns once the sink holds what was committed
        with sqlite3.connect(file) as db:
            counts = pd.read_sql("select label, count(*) as n from results group by label "
                                 "order by label", db)
            gtins = pd.read_sql("select json_extract(fields, '$.gtin') as gtin, text "
                                "from results where id = 'r1'", db)
            neg = pd.read_sql("select text from results where id = 'r0'", db)
        labels = p.analytics()["stages"]["sentiment"]["labels"]
        assert dict(zip(counts["label"], counts["n"])) == {
            label: v["count"] for label, v in labels.items()} == {"neg": 200, "pos": 400}
        assert gtins.to_dict("records") == [{"gtin": "4006381333931", "text": None}]
        assert neg["text"].tolist() == ["bad awful poor"]  # that sink keeps texts


def test_a_relative_file_is_in_the_data_directory(tmp_path):
    with cf.Engine(str(tmp_path / "data")) as eng:
        train(eng)
        p = eng.pipeline("reviews", spec("sink.db"))
        p.submit_many(items(30))
        p.flush()
    with sqlite3.connect(tmp_path / "data" / "sink.db") as db:
        assert db.execute("select count(*) from results").fetchone() == (30,)


def test_export_sqlite_from_a_writer_and_a_reader(tmp_path):
    path = str(tmp_path / "data")
    out = tmp_path / "export.db"
    with cf.Engine(path) as eng:
        train(eng)
        p = eng.pipeline("plain", {"stages": [
            {"name": "s", "classify": "sentiment", "next": "out"}, {"name": "out", "sink": {}}]})
        p.submit_many(items(50))
        p.flush()
        assert p.export_sqlite(out) == 50
        assert p.export_sqlite(out) == 50  # upserted again: still one row per id
        with cf.Engine(path, mode="read") as reader:
            assert reader.pipeline("plain").export_sqlite(tmp_path / "from-reader.db") == 50
    for file in (out, tmp_path / "from-reader.db"):
        with sqlite3.connect(file) as db:
            assert db.execute("select count(*), count(distinct id) from results").fetchone() == \
                (50, 50)


def test_files_that_cannot_be_sinks_raise_and_store_nothing(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("the user's notes, not a database\n")
    with cf.Engine() as eng:
        train(eng)
        with pytest.raises(cf.InvalidArgumentError, match="is not an SQLite database"):
            eng.pipeline("a", spec(notes))
        with pytest.raises(cf.InvalidArgumentError, match="sink.sqlite"):
            eng.pipeline("a", spec(""))
        with pytest.raises(cf.StorageError):
            eng.pipeline("a", spec(tmp_path / "missing" / "dir" / "x.db"))
        eng.pipeline("first", spec(tmp_path / "shared.db"))
        with pytest.raises(cf.InvalidArgumentError, match="is the sink of pipeline 'first'"):
            eng.pipeline("second", spec(tmp_path / "shared.db"))
        assert eng.pipelines() == ["first"]
        with pytest.raises(cf.InvalidArgumentError, match="is not an SQLite database"):
            eng.pipeline("first").export_sqlite(notes)
    assert notes.read_text() == "the user's notes, not a database\n"


WRITER = textwrap.dedent(
    """
    import sys
    import classiflow as cf
    engine = cf.Engine(sys.argv[1], threads=2)
    if "sentiment" not in engine.models():
        model = engine.create_model("sentiment", labels=["pos", "neg"])
        model.train_batch(["good great fine", "bad awful poor"] * 20, ["pos", "neg"] * 20)
    sink = {"sqlite": "results.db"}
    p = engine.pipeline("stream", {"stages": [
        {"name": "s", "classify": "sentiment", "next": "out"}, {"name": "out", "sink": sink}],
        "batch": {"max_items": 64, "max_delay_ms": 1}})
    for chunk in range(100000):
        pairs = [(f"c{chunk}-{i}", "good great" if i % 2 else "bad awful") for i in range(50)]
        p.submit_many(pairs)  # returns once the items are durable: acknowledged
        print(chunk, flush=True)
    """
)


def test_sigkill_leaves_every_acknowledged_result_in_the_table_once(tmp_path):
    path = str(tmp_path / "data")
    acked = -1
    for round in range(3):  # kill it three times, at different depths
        child = subprocess.Popen([sys.executable, "-c", WRITER, path], stdout=subprocess.PIPE,
                                 text=True)
        for line in child.stdout:
            acked = max(acked, int(line))
            if int(line) >= 40 * (round + 1):
                break
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert acked >= 100, "the writer did not get going"
    with cf.Engine(path) as eng:  # reopening replays what the sink had not written
        eng.pipeline("stream").flush()
    with sqlite3.connect(os.path.join(path, "results.db")) as db:
        rows = dict(db.execute("select id, count(*) from results group by id").fetchall())
        total = db.execute("select count(*) from results").fetchone()[0]
    # Every run submits the same ids from chunk 0 on: ids make resubmission idempotent.
    for chunk in range(acked + 1):
        for i in range(50):
            assert rows.get(f"c{chunk}-{i}") == 1, f"c{chunk}-{i} missing from the sink"
    assert total == len(rows)
    with cf.Engine(path, mode="read") as reader:
        stored = reader.pipeline("stream").analytics()["items"]
    assert total == stored  # the rows are exactly the stored results
