"""The live dashboard (classiflow.dashboard) over HTTP: the page, the JSON snapshot against
analytics(), well-formed and escaped SVG charts, JSON errors with codes, the CLI's arguments, a
data directory a writer process runs, and the page rendered by a real headless Chromium.

Set CLASSIFLOW_SCREENSHOT=path/to/dashboard.png to have the Chromium test save its screenshot
of the demo there (that is how docs/dashboard.png is made).
"""

import html.parser
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from typing import Any, Dict, List, Optional, Tuple

import pytest

import classiflow as cf
from classiflow import dashboard

SVG_NS = "{http://www.w3.org/2000/svg}"
EVIL = '<img src=x onerror=alert(1)>&"'
POSITIVE = "great love excellent fast works perfect happy recommend sturdy".split()
NEGATIVE = "broken awful late refund slow disappointed cracked useless poor".split()
TOPICS = {"billing": "invoice charged payment card price".split(),
          "shipping": "delivery box courier arrived package".split(),
          "product": "screen battery size colour quality".split()}

DEMO_SPEC = {
    "stages": [
        {"name": "sentiment", "classify": "sentiment",
         "routes": {"pos": "topic", "*": "contact"}},
        {"name": "contact", "extract": ["email"], "next": "crm"},
        {"name": "crm", "enrich": "crm", "next": "topic"},
        {"name": "topic", "classify": "topic", "routes": {"billing": "billing_desk", "*": "done"},
         "min_confidence": 0.55, "fallback": "triage"},
        {"name": "billing_desk", "sink": {"keep_text": True}},
        {"name": "triage", "sink": {"keep_text": True}},
        {"name": "done", "sink": {}},
    ],
    "max_attempts": 2,
    "retry": {"initial_ms": 5, "max_ms": 20},
    "analytics": {"urgent": {"labels": ["neg"], "min_confidence": 0.9, "keep": 8},
                  "review_keep": 8,
                  "feedback": {"train": "later"}},
}


def crm(item: Dict[str, Any]) -> Dict[str, Any]:
    """The demo's enrich callback: an outage for one customer, so some items dead-letter."""
    if "chargeback" in item["text"]:
        raise RuntimeError("CRM timeout for a chargeback customer")
    return {"tier": "gold" if len(item["text"]) % 3 == 0 else "standard"}


def review(rng: random.Random) -> Tuple[str, str, str]:
    """(text, sentiment, topic) of one made-up customer message."""
    sentiment = rng.choice(["pos", "pos", "neg"])
    topic = rng.choice(sorted(TOPICS))
    words = rng.sample(POSITIVE if sentiment == "pos" else NEGATIVE, 3) + \
        rng.sample(TOPICS[topic], 2)
    if sentiment == "neg" and rng.random() < 0.3:
        words.append(f"mail me at user{rng.randrange(100)}@example.com")
    if sentiment == "neg" and rng.random() < 0.04:
        words.append("chargeback")
    rng.shuffle(words)
    return " ".join(words), sentiment, topic


def train_demo_models(engine: "cf.Engine", rng: random.Random) -> None:
    sentiment = engine.create_model("sentiment", labels=["pos", "neg"])
    topic = engine.create_model("topic", labels=sorted(TOPICS))
    samples = [review(rng) for _ in range(60)]
    sentiment.train_batch([s[0] for s in samples], [s[1] for s in samples])
    topic.train_batch([s[0] for s in samples], [s[2] for s in samples])


def run_demo(engine: "cf.Engine", n: int = 300, seed: int = 3) -> "cf.Pipeline":
    """A realistic, idle pipeline: n items, two model versions scored by feedback, urgent
    items, items below min_confidence, retries and a few dead letters."""
    rng = random.Random(seed)
    train_demo_models(engine, rng)
    p = engine.pipeline("support", dict(DEMO_SPEC, stages=[
        dict(s, enrich=crm) if s["name"] == "crm" else s for s in DEMO_SPEC["stages"]]))
    truth = {}
    for batch in range(2):
        items = []
        for i in range(n // 2):
            text, sentiment, _ = review(rng)
            id = f"m{batch}-{i:03d}"
            truth[id] = sentiment
            items.append({"id": id, "text": text})
        p.submit_many(items)
        p.flush(timeout=60)
        answered = [r for r in p.results(newest=n) if r["id"].startswith(f"m{batch}-")]
        for r in answered[:25 + 15 * batch]:
            wrong = rng.random() < (0.2 if batch == 0 else 0.08)
            label = ("neg" if truth[r["id"]] == "pos" else "pos") if wrong else truth[r["id"]]
            p.feedback(r["id"], label, stage="sentiment")
        if batch == 0:
            p.retrain()  # the second half is answered by version 2
    return p


@pytest.fixture
def engine():
    with cf.Engine(threads=2) as eng:
        yield eng


@pytest.fixture
def demo(engine):
    p = run_demo(engine)
    server = dashboard.serve(engine, port=0, block=False)
    yield server, engine, p
    server.close()


def get(url: str, timeout: float = 10) -> Tuple[int, str, bytes]:
    """(status, content type, body) of a GET; HTTP errors are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read()


def snapshot(server: "dashboard.Server") -> Dict[str, Any]:
    status, kind, body = get(server.url + "api/snapshot")
    assert status == 200 and kind == "application/json"
    return json.loads(body)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "classiflow.dashboard", *args],
                          capture_output=True, text=True, timeout=timeout, cwd="/")


# ---------------------------------------------------------------- HTTP


def test_page_loads_self_contained(demo):
    server, _, _ = demo
    assert server.url.startswith("http://127.0.0.1:")
    status, kind, body = get(server.url)
    page = body.decode()
    assert status == 200 and kind.startswith("text/html")
    assert 'id="errors"' in page and "api/snapshot" in page
    for external in ('src="http', "src='http", 'href="http', "url(http", "@import"):
        assert external not in page, f"the page must fetch nothing from outside: {external}"


def test_snapshot_numbers_equal_analytics_and_stats(demo):
    server, engine, p = demo
    snap = snapshot(server)
    assert [x["name"] for x in snap["pipelines"]] == ["support"]
    shown = snap["pipelines"][0]
    assert shown["error"] is None and shown["analytics"] == p.analytics()
    stats = p.stats()
    for key in ("submitted", "completed", "in_flight", "queue_depth", "retries", "dead_letters"):
        assert shown["stats"][key] == stats[key], key
    assert stats["dead_letters"] > 0 and stats["retries"] > 0
    assert [d["id"] for d in shown["dead_letter_list"]] == [d["id"] for d in p.dead_letters()]
    assert {m["name"]: m["version"] for m in snap["models"]} == \
        {name: engine.model(name).version for name in engine.models()}
    versions = shown["analytics"]["feedback"]["versions"]["sentiment"]
    assert len(versions) == 2, "both model versions are scored by feedback"


def test_throughput_comes_from_successive_snapshots(demo):
    server, _, p = demo
    snapshot(server)
    time.sleep(0.6)
    p.submit_many([f"great fast delivery {i}" for i in range(50)])
    p.flush(timeout=30)
    rate = snapshot(server)["pipelines"][0]["throughput"]
    assert rate is not None and rate > 0


def test_charts_are_well_formed_svg(demo):
    server, _, p = demo
    urls = [f"chart/support/{stage}/{kind}.svg" for stage in ("sentiment", "topic")
            for kind in ("labels", "confidence")] + ["chart/support/routes.svg"]
    for url in urls:
        status, kind, body = get(server.url + url)
        assert status == 200 and kind.startswith("image/svg+xml"), url
        root = ET.fromstring(body)
        assert root.tag == SVG_NS + "svg" and root.find(SVG_NS + "rect") is not None
    routes = ET.fromstring(get(server.url + "chart/support/routes.svg")[2])
    texts = "".join(routes.itertext())
    for r in p.analytics()["routes"]:
        assert f'{r["from"]} \u2192 {r["to"]}' in texts


def test_a_malicious_label_is_escaped(engine):
    model = engine.create_model("evil", labels=[EVIL, "ok"])
    model.train_batch(["bad evil thing", "good fine thing"] * 5, [EVIL, "ok"] * 5)
    p = engine.pipeline("x", {"stages": [{"name": "s", "classify": "evil", "next": "o"},
                                         {"name": "o", "sink": {}}]})
    p.submit_many(["bad evil", "good fine", "evil bad bad"])
    p.flush(timeout=30)
    with dashboard.serve(engine, port=0, block=False) as server:
        for kind in ("labels", "confidence"):
            body = get(server.url + f"chart/x/s/{kind}.svg")[2].decode()
            assert "<img" not in body
            ET.fromstring(body)  # escaped text keeps the document well-formed
        timeline = ET.fromstring(get(server.url + "chart/x/s/labels.svg")[2])
        assert any(EVIL[:16] in t for t in timeline.itertext())
        labels = snapshot(server)["pipelines"][0]["analytics"]["stages"]["s"]["labels"]
        assert EVIL in labels


def test_unknown_paths_and_names_are_json_404s(demo):
    server, _, _ = demo
    for url in ("nope", "api/nope", "chart/nope/routes.svg", "chart/support/done/labels.svg",
                "chart/support/sentiment/pie.svg"):
        status, kind, body = get(server.url + url)
        assert status == 404 and kind == "application/json", url
        error = json.loads(body)["error"]
        assert error["code"] == "NotFound" and error["message"]


def test_metrics_endpoint_serves_metrics_text(demo):
    server, _, p = demo
    status, kind, body = get(server.url + "metrics")
    assert status == 200 and kind.startswith("text/plain")
    assert body.decode() == p.metrics_text()


def test_no_pipelines_yet(engine):
    with dashboard.serve(engine, port=0, block=False) as server:
        snap = snapshot(server)
        assert snap["pipelines"] == [] and snap["models"] == [] and snap["mode"] == "write"


def test_analytics_off_shows_a_note(engine):
    engine.create_model("m", labels=["a", "b"]).train_batch(["aa", "bb"], ["a", "b"])
    p = engine.pipeline("quiet", {"stages": [{"name": "s", "classify": "m", "next": "o"},
                                             {"name": "o", "sink": {}}], "analytics": False})
    p.submit("aa")
    p.flush(timeout=30)
    with dashboard.serve(engine, port=0, block=False) as server:
        shown = snapshot(server)["pipelines"][0]
        assert shown["analytics"] is None and "analytics are off" in shown["analytics_note"]
        assert shown["stats"]["completed"] == 1
        body = get(server.url + "chart/quiet/routes.svg")[2]
        assert "analytics are off" in "".join(ET.fromstring(body).itertext())


def test_an_unknown_pipeline_is_an_error_with_a_code(engine):
    with dashboard.serve(engine, port=0, block=False, pipeline="nope") as server:
        shown = snapshot(server)["pipelines"][0]
        assert shown["error"]["code"] == "NotFound"


def test_a_closed_engine_answers_503_with_its_code():
    engine = cf.Engine()
    with dashboard.serve(engine, port=0, block=False) as server:
        engine.close()
        status, kind, body = get(server.url + "api/snapshot")
        assert status == 503 and kind == "application/json"
        assert json.loads(body)["error"]["code"] == "Unavailable"
        assert get(server.url)[0] == 200, "the page itself still loads, to show the error"


def test_bad_port(engine, tmp_path):
    with pytest.raises(ValueError, match="0..65535"):
        dashboard.serve(engine, port=70000, block=False)
    for bad in ("abc", "70000", "-1"):
        done = run_cli(str(tmp_path), "--port", bad)
        assert done.returncode == 2, done.stderr
        assert "--port" in done.stderr and "0..65535" in done.stderr


def test_a_port_in_use_and_a_missing_directory(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        cf.Engine(tmp_path / "data").close()
        done = run_cli(str(tmp_path / "data"), "--port", str(busy.getsockname()[1]))
        assert done.returncode == 1 and "cannot listen on 127.0.0.1:" in done.stderr
    done = run_cli(str(tmp_path / "missing"))
    assert done.returncode == 2 and "is not a directory" in done.stderr


# ---------------------------------------------------------------- a data directory

WRITER = textwrap.dedent("""
    import json, sys
    import classiflow as cf
    sys.path.insert(0, sys.argv[2])
    from test_dashboard import run_demo
    with cf.Engine(sys.argv[1], threads=1) as engine:
        p = run_demo(engine, n=100)
        models = {name: engine.model(name).version for name in engine.models()}
        print(json.dumps({"analytics": p.analytics(), "models": models}), flush=True)
        sys.stdin.read()  # hold the directory open until the test is done
""")


def wait_for_line(process: subprocess.Popen, timeout: float) -> str:
    """The first stdout line of ``process``; fails with its stderr if it ends or is silent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line:
            return line
        if process.poll() is not None:
            break
    raise AssertionError(f"no output; stderr: {process.stderr.read()}")


def poll_snapshot(url: str, done: Any, timeout: float = 30) -> Dict[str, Any]:
    """Snapshots of ``url`` until ``done(snapshot)``: a reader follows its writer a little
    behind, so the numbers converge rather than match at once."""
    deadline = time.monotonic() + timeout
    while True:
        snap = json.loads(get(url)[2])
        if done(snap) or time.monotonic() > deadline:
            return snap
        time.sleep(0.2)


def test_a_data_directory_another_process_writes(tmp_path):
    data = tmp_path / "data"
    here = os.path.dirname(os.path.abspath(__file__))
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(data), here], text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    dash = None
    try:
        written = json.loads(wait_for_line(writer, 120))
        port = free_port()
        dash = subprocess.Popen([sys.executable, "-m", "classiflow.dashboard", str(data),
                                 "--port", str(port), "--pipeline", "support"], text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert f"http://127.0.0.1:{port}/" in wait_for_line(dash, 60)
        url = f"http://127.0.0.1:{port}/api/snapshot"

        def models(snap: Dict[str, Any]) -> Dict[str, int]:
            return {m["name"]: m["version"] for m in snap["models"]}

        snap = poll_snapshot(url, lambda s: models(s) == written["models"])
        assert snap["mode"] == "read" and models(snap) == written["models"]
        snap = poll_snapshot(url, lambda s: s["pipelines"][0]["analytics"] == written["analytics"])
        shown = snap["pipelines"][0]
        assert shown["name"] == "support" and shown["analytics"] == written["analytics"]
    finally:
        for process in (dash, writer):
            if process is not None:
                process.kill()
                process.wait(timeout=30)


# ---------------------------------------------------------------- a real browser


class _Metrics(html.parser.HTMLParser):
    """Text of every element with a data-metric attribute, and of #errors."""

    def __init__(self) -> None:
        super().__init__()
        self.metrics: Dict[str, str] = {}
        self.errors: Optional[str] = None
        self.tags: List[str] = []
        self._open: List[Tuple[str, str]] = []  # (tag, what its text is for)

    def handle_starttag(self, tag: str, attrs: List[Tuple[str, Optional[str]]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        if "data-metric" in a:
            self._open.append((tag, f'{a.get("data-pipeline")}/{a["data-metric"]}'))
            self.metrics[self._open[-1][1]] = ""
        elif a.get("id") == "errors":
            self._open.append((tag, "#errors"))
            self.errors = ""

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if not self._open:
            return
        key = self._open[-1][1]
        if key == "#errors":
            self.errors += data
        else:
            self.metrics[key] += data


def chromium(*args: str, timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run(["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
                           "--no-first-run", "--disable-extensions", "--mute-audio", *args],
                          capture_output=True, text=True, timeout=timeout)


needs_chromium = pytest.mark.skipif(shutil.which("chromium") is None,
                                    reason="no `chromium` on PATH: the browser test needs it")


@needs_chromium
def test_chromium_renders_the_numbers_of_analytics(demo, tmp_path):
    server, _, p = demo
    done = chromium("--enable-logging=stderr", "--v=0", "--virtual-time-budget=4000",
                    "--dump-dom", server.url)
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line or
               "Uncaught" in line]
    assert console == [], "\n".join(console)
    page = _Metrics()
    page.feed(done.stdout)
    assert page.errors == "", f"#errors says: {page.errors}"
    a, stats = p.analytics(), p.stats()
    shown = page.metrics
    assert shown["support/items"] == str(a["items"])
    for key in ("completed", "in_flight", "queue_depth", "retries", "dead_letters"):
        assert shown[f"support/{key}"] == str(stats[key]), key
    assert abs(float(shown["support/accuracy"]) - a["feedback"]["accuracy"]) < 1e-3
    for stage, info in a["stages"].items():
        for label, counts in info.get("labels", {}).items():
            assert shown[f"support/label:{stage}:{label}"] == str(counts["count"])
    for r in a["routes"]:
        assert shown[f'support/route:{r["from"]}:{r["to"]}'] == str(r["count"])
    target = os.environ.get("CLASSIFLOW_SCREENSHOT") or str(tmp_path / "dashboard.png")
    shot = chromium("--virtual-time-budget=4000", "--hide-scrollbars",
                    "--window-size=1280,1600", f"--screenshot={os.path.abspath(target)}",
                    server.url)
    assert shot.returncode == 0, shot.stderr[-2000:]
    with open(target, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


@needs_chromium
def test_chromium_shows_a_malicious_label_as_text(engine):
    model = engine.create_model("evil", labels=[EVIL, "ok"])
    model.train_batch(["bad evil thing", "good fine thing"] * 5, [EVIL, "ok"] * 5)
    p = engine.pipeline("x", {"stages": [{"name": "s", "classify": "evil", "next": "o"},
                                         {"name": "o", "sink": {}}]})
    p.submit_many(["bad evil", "good fine"])
    p.flush(timeout=30)
    with dashboard.serve(engine, port=0, block=False) as server:
        done = chromium("--virtual-time-budget=3000", "--dump-dom", server.url)
    page = _Metrics()
    page.feed(done.stdout)
    assert page.errors == "" and page.metrics["x/items"] == "2"
    assert f"x/label:s:{EVIL}" in page.metrics
    assert page.tags.count("img") == 3, "only the three charts are images"


@needs_chromium
def test_chromium_shows_refresh_errors_in_the_page():
    engine = cf.Engine()
    with dashboard.serve(engine, port=0, block=False) as server:
        engine.close()
        done = chromium("--virtual-time-budget=3000", "--dump-dom", server.url)
    page = _Metrics()
    page.feed(done.stdout)
    assert "refresh failed: Unavailable: the engine is closed" in (page.errors or "")
