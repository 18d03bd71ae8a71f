"""Reader engines (mode="read") following a writer, tested with real processes.

One writer process and several reader processes share one data directory: readers classify
throughout, see each new version exactly as the writer committed it (never half of one), refuse
writing verbs, survive a kill -9 of the writer or of another reader, and follow a new writer.
Also the open errors of readers and the explicit recovery open of a damaged log.

Children are `sys.executable -c CHILD ROLE ...`. A writer child takes commands on stdin and
answers one JSON line per event on stdout; a reader child appends JSON lines to its own file
(so a killed reader leaves its record behind) until a stop file appears. Every wait is bounded.
"""

import json
import os
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

import pytest

import classiflow as cf
from conftest import LABELS, refused

PROBE = "cheap pills for the team meeting tomorrow"
FOLLOW_BOUND_S = 3.0  # how soon a reader must see a committed version (the issue: 100 ms, measured in bench/reader_lag.py)
DEADLINE_S = 15.0  # no wait in this file lasts longer

CHILD = textwrap.dedent(
    """
    import json, os, random, sys, time
    import classiflow as cf

    PROBE = %r
    SPAM = "cheap pills offer win money free click discount casino prize bonus deal".split()
    HAM = "meeting lunch project report schedule team tomorrow review notes agenda coffee".split()
    role, path = sys.argv[1], sys.argv[2]

    def step_docs(step):
        rng = random.Random(step)
        texts = [" ".join(rng.choice(SPAM if i %% 2 else HAM) for _ in range(5)) for i in range(4)]
        return texts, ["spam" if i %% 2 else "ham" for i in range(4)]

    def writer():
        def emit(**fields):
            sys.stdout.write(json.dumps(fields) + "\\n")
            sys.stdout.flush()
        engine = cf.Engine(path)
        names = engine.models()
        model = engine.model("live") if "live" in names else engine.create_model("live", labels=["ham", "spam"])
        p = model.predict(PROBE)
        emit(ready=p.version, scores=p.scores, t=time.perf_counter_ns())
        for line in sys.stdin:
            cmd = line.split()
            if cmd[0] == "train":  # train N PAUSE_S: N versions, each acknowledged once committed
                for _ in range(int(cmd[1])):
                    texts, labels = step_docs(model.version)
                    model.train_batch(texts, labels)
                    p = model.predict(PROBE)
                    emit(v=p.version, scores=p.scores, t=time.perf_counter_ns())
                    time.sleep(float(cmd[2]))
                emit(trained=model.version)
            elif cmd[0] == "close":
                break
        engine.close()
        emit(closed=True)

    def reader():
        out, stop, interval = sys.argv[3], sys.argv[4], int(sys.argv[5])
        deadline = time.monotonic() + 60  # an orphan never outlives its test for long
        batch = step_docs(12345)[0]
        with open(out, "a") as f:
            def log(**fields):
                f.write(json.dumps(fields) + "\\n")
                f.flush()
            try:
                engine = cf.Engine(path, mode="read", follow_interval_ms=interval)
                model = engine.model("live")
                log(ready=model.version, pid=os.getpid())
                last, n, beat = None, 0, time.monotonic()
                while not os.path.exists(stop) and time.monotonic() < deadline:
                    p = model.predict(PROBE)
                    n += 1
                    if p.version != last:
                        log(v=p.version, scores=p.scores, t=time.perf_counter_ns())
                        last = p.version
                    if n %% 64 == 0:
                        assert len(model.classify_batch(batch)) == len(batch)
                    if time.monotonic() - beat > 0.1:
                        log(alive=n, v=last)
                        beat = time.monotonic()
                    time.sleep(0.0005)
                log(end=n, v=last)
                engine.close()
            except BaseException as e:
                log(error=type(e).__name__ + ": " + str(e))
                raise

    {"writer": writer, "reader": reader}[role]()
    """
    % PROBE
)


def wait_until(condition: Callable[[], bool], timeout: float = DEADLINE_S, poll: float = 0.01) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(poll)
    return condition()


class Writer:
    """A writer child: send() a command, expect() the JSON line that has a given key."""

    def __init__(self, path: Path, env: Dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", CHILD, "writer", str(path)], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        self.buffer = b""
        self.acks: Dict[int, dict] = {}  # version -> {"scores", "t"} as the writer committed it

    def send(self, line: str) -> None:
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def _lines(self, timeout: float):
        end = time.monotonic() + timeout
        while True:
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                msg = json.loads(line)
                if "v" in msg:
                    self.acks[msg["v"]] = msg
                elif "ready" in msg:
                    self.acks[msg["ready"]] = msg
                yield msg
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                return
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                return
            self.buffer += chunk

    def expect(self, key: str, until: Optional[Callable[[dict], bool]] = None,
               timeout: float = DEADLINE_S) -> dict:
        for msg in self._lines(timeout):
            if key in msg and (until is None or until(msg)):
                return msg
        raise AssertionError(f"writer: no {key!r} line within {timeout} s "
                             f"(exit status {self.proc.poll()})")

    def drain(self) -> None:
        """Reads what a dead writer printed (each line is an acknowledged version)."""
        for _ in self._lines(1.0):
            pass

    def last_ack(self) -> int:
        return max(self.acks)


class Reader:
    """A reader child logging to its own file until the shared stop file appears."""

    def __init__(self, path: Path, log: Path, stop: Path, env: Dict[str, str], interval: int = 5):
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, "reader", str(path), str(log), str(stop), str(interval)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def records(self) -> List[dict]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.endswith("}")]

    def seen(self) -> List[dict]:
        return [r for r in self.records() if "v" in r and "scores" in r]

    def errors(self) -> List[str]:
        return [r["error"] for r in self.records() if "error" in r]

    def last_version(self) -> int:
        seen = self.seen()
        return seen[-1]["v"] if seen else -1

    def classified(self) -> int:
        counts = [r.get("alive", r.get("end", 0)) for r in self.records()]
        return max(counts, default=0)


@pytest.fixture
def cluster(tmp_path):
    """Starts writer and reader children on tmp_path/"db"; stops and reaps them all afterwards.
    Children put their scratch directories (a reader's RocksDB secondary) under tmp_path."""

    class Cluster:
        path = tmp_path / "db"
        stop = tmp_path / "stop"
        scratch = tmp_path / "scratch"
        env = dict(os.environ, TMPDIR=str(tmp_path / "scratch"))
        procs: List[subprocess.Popen] = []

        def writer(self) -> Writer:
            w = Writer(self.path, self.env)
            self.procs.append(w.proc)
            return w

        def readers(self, n: int, interval: int = 5, first: int = 0) -> List[Reader]:
            made = [Reader(self.path, tmp_path / f"reader{first + i}.jsonl", self.stop, self.env,
                           interval) for i in range(n)]
            self.procs.extend(r.proc for r in made)
            for r in made:
                assert wait_until(lambda r=r: r.records() or r.proc.poll() is not None), "reader hung"
                assert "ready" in r.records()[0], f"reader failed to open: {r.records()} " \
                    f"{r.proc.stderr.read().decode() if r.proc.poll() is not None else ''}"
            return made

        def start(self, n: int) -> "tuple[Writer, List[Reader]]":
            """A writer that made the model, then n readers opened on it."""
            w = self.writer()
            w.expect("ready")
            return w, self.readers(n)

        def stop_readers(self, readers: List[Reader]) -> None:
            self.stop.touch()
            for r in readers:
                if r.proc.poll() is None:
                    r.proc.wait(timeout=DEADLINE_S)

    Cluster.scratch.mkdir()
    c = Cluster()
    yield c
    c.stop.touch()
    for proc in c.procs:
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def assert_followed(reader: Reader, acks: Dict[int, dict]) -> List[int]:
    """No error; versions only increase; each version's probe scores are the writer's exactly."""
    assert reader.errors() == [], f"a reader raised: {reader.errors()}"
    seen = reader.seen()
    versions = [r["v"] for r in seen]
    assert versions == sorted(set(versions)), f"versions went back or repeated: {versions}"
    for r in seen:
        assert r["v"] in acks, f"the reader saw version {r['v']}, which the writer never acknowledged"
        assert r["scores"] == acks[r["v"]]["scores"], f"version {r['v']}: half a version?"
    return versions


def sigkill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def first_seen_ns(reader: Reader, version: int) -> Optional[int]:
    return next((r["t"] for r in reader.seen() if r["v"] >= version), None)


# --- a. one writer, three readers -----------------------------------------------------------

def test_three_readers_follow_every_version_exactly(cluster):
    writer, readers = cluster.start(3)
    start = writer.last_ack()
    writer.send("train 30 0.05")
    final = writer.expect("trained")["trained"]
    assert final == start + 30
    assert wait_until(lambda: all(r.last_version() == final for r in readers)), \
        [r.last_version() for r in readers]
    cluster.stop_readers(readers)
    for r in readers:
        assert r.proc.returncode == 0, r.proc.stderr.read().decode()
        versions = assert_followed(r, writer.acks)
        lag = (first_seen_ns(r, final) - writer.acks[final]["t"]) / 1e9
        assert lag < FOLLOW_BOUND_S, f"the final version reached a reader {lag:.3f} s after commit"
        # 50 ms between commits and a 5 ms follow interval: a reader sees nearly every version.
        assert len(versions) >= 16, f"a reader saw only versions {versions}"
        assert r.classified() > 100
    writer.send("close")
    writer.expect("closed")


# --- b. writing verbs in a reader; a second writer ------------------------------------------

def test_reader_refuses_writing_verbs_and_changes_nothing(tmp_path):
    path = tmp_path / "db"
    with cf.Engine(path) as eng, cf.Engine(path, mode="read", follow_interval_ms=1) as reader:
        model = eng.create_model("live", labels=LABELS)
        model.train("spam", "cheap pills")
        assert wait_until(lambda: "live" in reader.models())
        live = reader.model("live")
        assert wait_until(lambda: live.version == 1)
        assert reader.mode == "read" and eng.mode == "write"
        verbs = {
            "create_model": lambda: reader.create_model("other", labels=LABELS),
            "drop_model": lambda: reader.drop_model("live"),
            "train": lambda: live.train("ham", "lunch meeting"),
            "train_batch": lambda: live.train_batch(["lunch meeting", "cheap"], ["ham", "spam"]),
            "untrain": lambda: live.untrain("spam", "cheap pills"),
        }
        for name, verb in verbs.items():
            with refused(cf.NotSupportedError, engine=reader, model=live, match="mode=.read."):
                verb()
        assert issubclass(cf.NotSupportedError, NotImplementedError)
        time.sleep(0.05)  # a refused verb that wrote anyway would show in both engines by now
        assert eng.models() == reader.models() == ["live"]
        assert model.version == live.version == 1
        assert live.scores(PROBE) == model.scores(PROBE)


def spellings(path: Path, tmp_path: Path) -> Dict[str, str]:
    link = tmp_path / "link"
    if not link.exists():
        link.symlink_to(path)
    return {
        "trailing slash": str(path) + "/",
        "double slash": str(path).replace("/db", "//db") + "//",
        "dot": str(path / "."),
        "dot-dot": str(path / ".." / path.name),
        "relative": os.path.relpath(path),
        "symlink": str(link),
        "rocksdb: uri": f"rocksdb:{path}/",
    }


def test_second_writer_is_busy_under_any_spelling_while_readers_are_open(cluster, tmp_path):
    # The writer in another process (its OS lock), then in this one (the process registry).
    writer, readers = cluster.start(2)
    with cf.Engine(cluster.path, mode="read") as local_reader:
        for how, where in spellings(cluster.path, tmp_path).items():
            with pytest.raises(cf.BusyError):
                cf.Engine(where)
        writer.send("train 3 0")
        final = writer.expect("trained")["trained"]
        assert wait_until(lambda: local_reader.model("live").version == final)
        writer.send("close")
        writer.expect("closed")
        # Readers hold no writer lock: a writer in this process opens beside them.
        with cf.Engine(cluster.path) as eng:
            for how, where in spellings(cluster.path, tmp_path).items():
                with pytest.raises(cf.BusyError, match="already open|in use"):
                    cf.Engine(where)
            eng.model("live").train("ham", "one more step after the writer changed")
            assert wait_until(lambda: all(r.last_version() == final + 1 for r in readers))
            assert wait_until(lambda: local_reader.model("live").version == final + 1)
    cluster.stop_readers(readers)
    for r in readers:
        assert r.errors() == [] and r.proc.returncode == 0


# --- c. kill -9 of the writer ---------------------------------------------------------------

def test_readers_survive_writer_sigkill_and_follow_the_next_writer(cluster):
    writer, readers = cluster.start(3)
    writer.send("train 100000 0.005")
    writer.expect("v", until=lambda m: m["v"] >= 15)
    sigkill(writer.proc)
    writer.drain()
    acked = writer.last_ack()

    # The readers keep classifying at the last version they saw, without an error.
    time.sleep(0.3)
    before = [(r.classified(), r.last_version()) for r in readers]
    time.sleep(0.7)
    for r, (count, version) in zip(readers, before):
        assert r.errors() == [], r.errors()
        assert r.proc.poll() is None, "a reader died with the writer"
        assert r.classified() > count, "a reader stopped classifying after the writer died"
        assert r.last_version() == version, "a reader's version moved with no writer"

    # A new writer (this process) opens with every acknowledged version and at least every
    # version a reader saw; the readers follow it on.
    with cf.Engine(cluster.path) as eng:
        model = eng.model("live")
        reopened = model.version
        assert reopened >= acked, f"acknowledged version {acked} lost: reopened at {reopened}"
        assert reopened >= max(r.last_version() for r in readers)
        acks = dict(writer.acks)
        for i in range(5):
            model.train("spam" if i % 2 else "ham", f"after the crash step {i} pills meeting")
            acks[model.version] = {"scores": model.predict(PROBE).scores}
        if reopened not in acks:
            acks[reopened] = {"scores": None}  # written but not acknowledged before the kill
        assert wait_until(lambda: all(r.last_version() == model.version for r in readers)), \
            [r.last_version() for r in readers]
    cluster.stop_readers(readers)
    for r in readers:
        seen = r.seen()
        versions = [s["v"] for s in seen]
        assert r.errors() == [] and versions == sorted(set(versions)), versions
        for s in seen:  # exact scores wherever the committing writer reported them
            if s["v"] in acks and acks[s["v"]]["scores"] is not None:
                assert s["scores"] == acks[s["v"]]["scores"], f"version {s['v']} differs"


# --- d. kill -9 of a reader -----------------------------------------------------------------

def test_reader_sigkill_leaves_writer_and_other_readers_unaffected(cluster):
    writer, readers = cluster.start(3)
    writer.send("train 40 0.02")
    writer.expect("v", until=lambda m: m["v"] >= 10)
    sigkill(readers[0].proc)
    final = writer.expect("trained")["trained"]
    assert final >= 40 and writer.proc.poll() is None
    survivors = readers[1:]
    assert wait_until(lambda: all(r.last_version() == final for r in survivors))
    late = cluster.readers(1, first=3)[0]  # a new reader opens after the kill
    assert wait_until(lambda: late.last_version() == final)
    writer.send("train 2 0")
    final = writer.expect("trained")["trained"]
    assert wait_until(lambda: all(r.last_version() == final for r in survivors + [late]))
    cluster.stop_readers(survivors + [late])
    for r in survivors + [late]:
        assert_followed(r, writer.acks)
        assert r.proc.returncode == 0
    writer.send("close")
    writer.expect("closed")


# --- e. where a reader cannot open ----------------------------------------------------------

def tree(root: Path) -> Dict[str, tuple]:
    """Every entry below root: (kind, bytes or link target, mode)."""
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.lstat()
        body = os.readlink(p) if p.is_symlink() else (p.read_bytes() if p.is_file() else None)
        out[str(p.relative_to(root))] = (p.is_dir(), body, st.st_mode, st.st_mtime_ns)
    return out


def test_reader_open_errors(tmp_path):
    missing = tmp_path / "missing"
    with pytest.raises(cf.NotFoundError):
        cf.Engine(missing, mode="read")
    assert not missing.exists(), "a reader created the directory"

    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("my notes\n")
    (foreign / "000007.sst").write_bytes(bytes(range(256)) * 4)
    (foreign / "LOG").write_text("not yours\n")
    (foreign / "sub").mkdir()
    (foreign / "sub" / "CURRENT").write_text("MANIFEST-000001\n")
    before = tree(foreign)
    for mode in ("read", "write"):
        with pytest.raises(cf.InvalidArgumentError, match="not a classiflow data directory"):
            cf.Engine(foreign, mode=mode)
        assert tree(foreign) == before, f"mode={mode} changed a foreign folder"

    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(cf.UnavailableError, match="no database yet"):
        cf.Engine(empty, mode="read")
    assert list(empty.iterdir()) == [], "a reader wrote into an empty directory"

    for mode in ("read", "write"):
        with pytest.raises(cf.InvalidArgumentError):
            cf.Engine("", mode=mode)
        with pytest.raises(cf.InvalidArgumentError, match="NUL"):
            cf.Engine(str(tmp_path / "a\0b"), mode=mode)
    assert not (tmp_path / "a").exists()
    with pytest.raises(cf.InvalidArgumentError):
        cf.Engine("memory:", mode="read")
    with pytest.raises(cf.InvalidArgumentError):
        cf.Engine(None, mode="read")
    with pytest.raises(cf.InvalidArgumentError):
        cf.Engine(tmp_path / "x", mode="reader")
    assert not (tmp_path / "x").exists()


def test_reader_options_and_close(tmp_path):
    path = tmp_path / "db"
    with cf.Engine(path) as eng:
        eng.create_model("m", labels=LABELS).train("spam", "cheap")
        for bad in (0, -1, 60001, 1.5, True, "5"):
            with pytest.raises(cf.InvalidArgumentError, match="follow_interval_ms"):
                cf.Engine(path, mode="read", follow_interval_ms=bad)
        reader = cf.Engine(path, mode="read", follow_interval_ms=60000)
        model = reader.model("m")
        assert model.version == 1 and reader.recovery == {"performed": False, "models": []}
        reader.close()
        with pytest.raises(cf.UnavailableError):
            model.classify("cheap")
        with pytest.raises(cf.UnavailableError):
            reader.models()
        eng.model("m").train("ham", "lunch")  # the writer goes on after its reader closed
        assert eng.model("m").version == 2


# --- f. models dropped and created by the writer --------------------------------------------

def test_reader_follows_drops_and_new_models(tmp_path):
    path = tmp_path / "db"
    with cf.Engine(path) as eng:
        eng.create_model("doomed", labels=LABELS).train("spam", "cheap pills")
        with cf.Engine(path, mode="read", follow_interval_ms=5) as reader:
            doomed = reader.model("doomed")
            assert doomed.version == 1
            eng.drop_model("doomed")

            def gone() -> bool:
                try:
                    doomed.classify("cheap")
                except cf.NotFoundError:
                    return True
                return False

            assert wait_until(gone, timeout=FOLLOW_BOUND_S), "the dropped model still classifies"
            with pytest.raises(KeyError):
                doomed.scores("cheap")
            with pytest.raises(cf.NotFoundError):
                reader.model("doomed")
            assert reader.models() == []

            eng.create_model("fresh", labels=["a", "b"]).train("a", "alpha")
            assert wait_until(lambda: reader.models() == ["fresh"], timeout=FOLLOW_BOUND_S)
            fresh = reader.model("fresh")
            assert wait_until(lambda: fresh.version == 1, timeout=FOLLOW_BOUND_S)
            assert fresh.labels == ["a", "b"] and fresh.classify("alpha") == "a"


# BUG (engine/follower.cpp, Engine::FollowModel): when the writer drops a model and creates one
# with the same name and options between two catch-up rounds, the reader keeps the old handles
# and moves them onto the new model (Follow() instead of Invalidate()): the handle's version
# goes back (5 -> 1) and it answers for a model that is not the one it was opened on. A writer's
# own handles raise NotFoundError after the drop; a reader's must too. Expected to fail until
# the follower tells a re-created model from a new version of the same one.
def test_reader_handle_of_a_model_dropped_and_recreated_between_rounds(tmp_path):
    path = tmp_path / "db"
    with cf.Engine(path) as eng:
        model = eng.create_model("m", labels=LABELS)
        for i in range(5):
            model.train("spam", f"cheap pills {i}")
        with cf.Engine(path, mode="read", follow_interval_ms=1000) as reader:
            old = reader.model("m")
            assert old.version == 5
            time.sleep(0.2)  # just after a round (rounds start 1 s after the open)
            eng.drop_model("m")
            eng.create_model("m", labels=LABELS).train("ham", "lunch")
            with pytest.raises(cf.NotFoundError):
                model.version  # the writer's old handle
            assert wait_until(lambda: reader.model("m").version == 1, timeout=FOLLOW_BOUND_S)
            with pytest.raises(cf.NotFoundError):
                old.classify("cheap")  # the reader's old handle, like the writer's


# --- g. recovery open -----------------------------------------------------------------------

@pytest.fixture
def damaged(tmp_path):
    """A closed directory whose model reached version 10, with one byte flipped in the middle
    of its log (not the torn tail a crash leaves). Returns (directory, log file)."""
    path = tmp_path / "db"
    with cf.Engine(path, sync=True) as eng:
        model = eng.create_model("m", labels=LABELS)
        for i in range(10):
            model.train("spam" if i % 2 else "ham", f"document number {i} cheap meeting")
        assert model.version == 10
    logs = sorted(path.glob("*.log"), key=lambda p: p.stat().st_size)
    assert logs, f"no log file in {sorted(p.name for p in path.iterdir())}"
    data = bytearray(logs[-1].read_bytes())
    data[len(data) // 2] ^= 0x20
    logs[-1].write_bytes(bytes(data))
    return path, logs[-1]


def test_damaged_log_is_refused_naming_the_file(damaged):
    path, log = damaged
    before = tree(path)
    for mode in ("write", "write", "read"):  # twice: the first refusal wrote nothing either
        with pytest.raises(cf.CorruptionError, match=log.name):
            cf.Engine(path, mode=mode)
        assert tree(path) == before, f"a refused open (mode={mode}) changed the directory"


def test_recovery_open_opens_at_the_last_consistent_version(damaged):
    path, _ = damaged
    with cf.Engine(path, recover=True) as eng:
        report = eng.recovery
        assert report["performed"] is True
        [entry] = [m for m in report["models"] if m["model"] == "m"]
        after = eng.model("m").version
        assert after == entry["after"] and 0 <= after < 10, report
        eng.model("m").train("spam", "trainable after recovery")
    with cf.Engine(path) as eng:  # the recovered directory opens normally from now on
        assert eng.recovery == {"performed": False, "models": []}
        assert eng.model("m").version == after + 1


# BUG (storage/src/rocksdb_store.cpp, RocksDBStore::OpenRecovering): the report's "before" is
# read through a kSkipAnyCorruptedRecords view, and RocksDB's log reader drops the rest of the
# 32 KiB block after a checksum mismatch, so the view stops exactly where recovery stops: with
# the byte flipped at 10 %..90 % of a 29 KB log the report says before == after (0/0, 2/2, 4/4,
# 6/6, 8/8) although versions up to 10 were acknowledged. The report claims nothing was dropped.
# Expected to fail until "before" is the newest version the damaged log held (or says unknown).
def test_recovery_report_names_the_versions_it_dropped(damaged):
    path, _ = damaged
    with cf.Engine(path, recover=True) as eng:
        [entry] = [m for m in eng.recovery["models"] if m["model"] == "m"]
        assert entry["before"] == 10 and entry["after"] < 10, eng.recovery


def test_reader_views_pipelines_and_refuses_their_writing_verbs(tmp_path):
    path = tmp_path / "db"
    spec = {"stages": [{"name": "tag", "classify": "live", "next": "out"},
                       {"name": "out", "sink": {}}]}
    with cf.Engine(path) as eng:
        model = eng.create_model("live", labels=LABELS)
        model.train_batch(["cheap pills", "lunch meeting"], ["spam", "ham"])
        writer = eng.pipeline("mail", spec)
        writer.submit_many([(f"m{i}", "cheap pills now") for i in range(5)])
        writer.flush()
        with cf.Engine(path, mode="read", follow_interval_ms=1) as reader:
            assert reader.pipelines() == ["mail"]
            view = reader.pipeline("mail")
            assert wait_until(lambda: view.analytics()["items"] == 5)
            assert {k: v for k, v in view.analytics().items()} == writer.analytics()
            assert view.result("m0")["predictions"]["tag"]["label"] == "spam"
            assert [r["id"] for r in view.results(2)] == ["m4", "m3"]
            assert wait_until(lambda: view.stats()["completed"] == 5)
            verbs = {
                "submit": lambda: view.submit("cheap", id="x"),
                "submit_many": lambda: view.submit_many(["cheap"]),
                "flush": lambda: view.flush(0.1),
                "feedback": lambda: view.feedback("m0", "ham"),
                "reset_analytics": view.reset_analytics,
                "recount": view.recount,
                "retrain": view.retrain,
                "create": lambda: reader.pipeline("other", spec),
                "drop": lambda: reader.drop_pipeline("mail"),
            }
            for name, verb in verbs.items():
                with pytest.raises(cf.NotSupportedError, match="mode=.read."):
                    verb()
            with pytest.raises(cf.NotFoundError):
                reader.pipeline("missing")
        assert writer.analytics()["items"] == 5 and writer.result("m0")
