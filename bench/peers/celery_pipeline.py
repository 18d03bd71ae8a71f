"""The seed architecture classiflow's pipeline replaces, as a benchmark peer: a Celery 5 worker
(prefork pool, 2 processes) fed through a real redis-server on 127.0.0.1, which is both the
broker and the result backend; each task classifies one text with a classiflow model file
(celery_tasks.py holds the app, the task and the settings, and says why).

    with RedisServer() as redis_server, CeleryWorker(redis_server.url, model_path) as worker:
        ...                                    # or simply:
    result = run_celery(texts, model_path, n_items=5000, rate=None)

run_celery() starts a fresh redis-server and worker for every call, so each peak RSS is its
own, submits the items from the calling process with ``delay()`` (as fast as it can, or paced
at `rate` items/s), collects them with a ResultSet join and returns throughput, latency
percentiles, peak RSS and where the CPU went as a dict. Every process it starts is stopped
when it returns or raises, and gets SIGTERM should the calling process be killed.

Measured times are time.monotonic() (CLOCK_MONOTONIC: one clock for all processes of the
machine), in three places:
* submit: just before ``delay()``; in a paced run the item's scheduled time instead, so a
  submitter that falls behind its schedule adds to latency instead of hiding it (submit_lag_*
  says by how much it fell behind);
* task end: the task's own return value, when the classification was done; latency measured
  to it does not depend on the order in which the submitter collects results;
* stored: when redis published the stored result (Celery's backend does SET + PUBLISH in one
  transaction), seen by an observer thread subscribed to every result channel. This is the
  counterpart of classiflow's "durable result"; it includes Celery's bookkeeping after the
  task and the write to redis. The observer shares the submitter's GIL: while an unpaced run
  submits, its stamps can come late by up to the 5 ms switch interval; paced runs are exact.
items/s is the number of items over first submit -> the submitter holding every result (in a
paced run that is the rate, less the join's final fetch of every result).
"""
import contextlib
import gc
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import classiflow as cf

try:
    import celery
    import redis
    from celery.result import ResultSet

    import celery_tasks
except ImportError as e:
    raise ImportError(
        f"the Celery peer needs Debian's python3-celery and python3-redis ({e}): "
        "scripts/install_deps.sh bench installs them; a venv must be made with "
        "--system-site-packages to see them") from e

HERE = os.path.dirname(os.path.abspath(__file__))
START_TIMEOUT_S = 60.0  # redis-server or the worker not answering by then: give up
STOP_TIMEOUT_S = 10.0  # SIGTERM, then SIGKILL after this
JOIN_TIMEOUT_S = 600.0  # the longest a run may take to collect its results
WARMUP_ITEMS = 50  # round trips before measuring: connections, pool processes, caches

# redis persistence modes: RDB snapshots are always off (a snapshot of a queue mid-run is
# neither what a broker relies on nor free); the append-only file is the knob.
PERSISTENCE = {
    "off": ["--appendonly", "no"],
    "aof-no": ["--appendonly", "yes", "--appendfsync", "no"],
    "aof-everysec": ["--appendonly", "yes", "--appendfsync", "everysec"],
    "aof-always": ["--appendonly", "yes", "--appendfsync", "always"],
}


class SetupError(RuntimeError):
    """A tool is missing or a server did not start; the message says which and why."""


def check_tools():
    """Raises SetupError unless redis-server is on PATH (Celery and redis-py are checked
    when this module is imported)."""
    if shutil.which("redis-server") is None:
        raise SetupError("redis-server is not installed (Debian package redis-server; "
                         "scripts/install_deps.sh bench installs it)")


def _free_port():
    """A port free right now on 127.0.0.1; redis-server may still lose a race for it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spawn(cmd, log_path, **kwargs):
    """Starts cmd in its own process group (so stopping it can reach every process it forks),
    output to log_path; it gets SIGTERM if this process dies without cleaning up (setpriv
    --pdeathsig, when util-linux has it: try/finally cannot run after a SIGKILL)."""
    if shutil.which("setpriv"):
        cmd = ["setpriv", "--pdeathsig", "TERM", "--", *cmd]
    with open(log_path, "wb") as log:
        return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True, **kwargs)


def _group_members(pgid):
    """Pids of the live processes in process group pgid (from /proc/*/stat)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[2]) == pgid and fields[0] != "Z":
                    pids.append(int(entry))
    return pids


def _stop(proc, name):
    """SIGTERM to the process, SIGKILL after STOP_TIMEOUT_S; then SIGKILL to whatever is left
    of its process group (a pool process orphaned by a killed worker, say)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            print(f"{name} (pid {proc.pid}) did not stop within "
                  f"{STOP_TIMEOUT_S:.0f} s of SIGTERM: killing it", file=sys.stderr, flush=True)
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait()
    for pid in _group_members(proc.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _log_tail(path, chars=2000):
    with contextlib.suppress(OSError), open(path, errors="replace") as f:
        return f.read()[-chars:]
    return ""


def _descendants(pid):
    """pid and every process below it, from the ppid links in /proc/*/stat."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children.get(p, [])
    return found


def cpu_seconds(pid):
    """User + system CPU time a live process has used so far; 0.0 once it is gone."""
    with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def machine_busy_seconds():
    """CPU seconds all cores of the machine have spent busy since boot (/proc/stat): with
    the run's own processes subtracted, what other programs took from a run."""
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait; guest time is already in user and nice
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid):
    """VmHWM (peak resident set) of a live process in MB; None once it is gone."""
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return None


def pss_mb(pid):
    """Proportional set size of a live process now, in MB: its resident pages, each page
    shared with other processes (the worker's pool shares the main process's by fork)
    counted as its share. Summed over a process tree, unlike RSS, it counts memory once."""
    with contextlib.suppress(OSError), open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024.0
    return None


class RedisServer:
    """A private redis-server on 127.0.0.1 (free port, temporary --dir), for one run.

    persistence: a key of PERSISTENCE; the default, an append-only file fsynced every second,
    is how a broker that must not lose tasks runs, and loses at most the last second on a
    power loss, like classiflow's buffered mode."""

    def __init__(self, persistence="aof-everysec", quiet=False):
        if persistence not in PERSISTENCE:
            raise ValueError(f"persistence must be one of {', '.join(PERSISTENCE)}")
        self.persistence, self.quiet = persistence, quiet
        self.proc = self.port = self.version = None
        self._dir = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self):
        check_tools()
        binary = shutil.which("redis-server")
        self.version = subprocess.run([binary, "--version"], capture_output=True,
                                      text=True).stdout.split()[2].removeprefix("v=")
        self._dir = tempfile.mkdtemp(prefix="celery_peer_redis_")
        try:
            for _ in range(3):  # another program can take the free port before redis binds it
                self.port = _free_port()
                self.proc = _spawn([binary, "--port", str(self.port), "--bind", "127.0.0.1",
                                    "--dir", self._dir, "--save", "", "--daemonize", "no",
                                    *PERSISTENCE[self.persistence]],
                                   os.path.join(self._dir, "redis.log"))
                if self._wait_ready():
                    break
                _stop(self.proc, "redis-server")
            else:
                raise SetupError("redis-server did not start:\n"
                                 + _log_tail(os.path.join(self._dir, "redis.log")))
        except BaseException:
            self.__exit__(None, None, None)
            raise
        if not self.quiet:
            print(f"redis-server {self.version} on 127.0.0.1:{self.port}, persistence "
                  f"{self.persistence}: {' '.join(PERSISTENCE[self.persistence])}, no RDB",
                  file=sys.stderr, flush=True)
        return self

    def _wait_ready(self):
        client = redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1)
        deadline = time.monotonic() + START_TIMEOUT_S
        try:
            while time.monotonic() < deadline and self.proc.poll() is None:
                with contextlib.suppress(redis.exceptions.ConnectionError,
                                         redis.exceptions.BusyLoadingError):
                    if client.ping():
                        return True
                time.sleep(0.05)
            return False
        finally:
            client.close()

    def peak_rss_mb(self):
        return peak_rss_mb(self.proc.pid)

    def cpu_seconds(self):
        return cpu_seconds(self.proc.pid)

    def __exit__(self, *exc):
        if self.proc is not None:
            _stop(self.proc, "redis-server")
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)


class CeleryWorker:
    """`celery -A celery_tasks worker --pool=prefork --concurrency=N` against `url`, each pool
    process classifying with the model file at model_path. Ready once it answers a control
    ping; `app` (a celery_tasks.make_app(url)) is used for the ping when given."""

    def __init__(self, url, model_path, concurrency=2, prefetch_multiplier=None, app=None):
        self.url, self.model_path, self.concurrency = url, model_path, concurrency
        self.prefetch_multiplier = prefetch_multiplier
        self.app = app
        self.proc = None
        self._dir = None

    @property
    def log_path(self):
        return os.path.join(self._dir, "worker.log")

    def __enter__(self):
        env = dict(os.environ, CLASSIFLOW_CELERY_URL=self.url,
                   CLASSIFLOW_CELERY_MODEL=os.path.abspath(self.model_path),
                   PYTHONPATH=os.pathsep.join(filter(None, [HERE, os.environ.get("PYTHONPATH")])))
        if self.prefetch_multiplier is not None:
            env["CLASSIFLOW_CELERY_PREFETCH"] = str(self.prefetch_multiplier)
        self._dir = tempfile.mkdtemp(prefix="celery_peer_worker_")
        try:
            self.proc = _spawn([sys.executable, "-m", "celery", "-A", "celery_tasks", "worker",
                                "--pool=prefork", f"--concurrency={self.concurrency}",
                                "--loglevel=warning"], self.log_path, cwd=HERE, env=env)
            self._wait_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_ready(self):
        app = self.app or celery_tasks.make_app(self.url)
        deadline = time.monotonic() + START_TIMEOUT_S
        try:
            while time.monotonic() < deadline:
                self.check()
                if app.control.ping(timeout=0.5):
                    return
            raise SetupError(f"the Celery worker did not answer a ping within "
                             f"{START_TIMEOUT_S:.0f} s:\n{_log_tail(self.log_path)}")
        finally:
            if app is not self.app:
                app.close()

    def check(self):
        """Raises SetupError if the worker has exited (then a join would wait in vain)."""
        if self.proc.poll() is not None:
            raise SetupError(f"the Celery worker exited with status {self.proc.returncode}:\n"
                             + _log_tail(self.log_path))

    def cpu_seconds(self):
        """CPU seconds used so far by the worker's main process and by its pool processes."""
        main, *pool = _descendants(self.proc.pid)
        return cpu_seconds(main), sum(map(cpu_seconds, pool))

    def peak_rss_mb(self):
        """Peak RSS in MB of the worker's main process and of each pool process, main first."""
        return [mb for mb in map(peak_rss_mb, _descendants(self.proc.pid)) if mb is not None]

    def pss_mb(self):
        """PSS in MB of the worker's processes together, now (see pss_mb())."""
        return sum(filter(None, map(pss_mb, _descendants(self.proc.pid))))

    def __exit__(self, *exc):
        if self.proc is not None:
            _stop(self.proc, "the Celery worker")
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)


class ResultObserver:
    """Stamps when redis publishes each stored result: a thread with its own connection,
    pattern-subscribed to every result channel. stamps: task id -> time.monotonic()."""

    def __init__(self, url, prefix):
        self.stamps = {}
        self._prefix = prefix
        self._client = redis.Redis.from_url(url)
        self._pubsub = self._client.pubsub()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="result-observer", daemon=True)

    def __enter__(self):
        try:
            self._pubsub.psubscribe(self._prefix + "*")
            # Wait for redis to confirm, so no result published from now on can be missed.
            deadline = time.monotonic() + START_TIMEOUT_S
            while time.monotonic() < deadline:
                message = self._pubsub.get_message(timeout=0.5)
                if message and message["type"] == "psubscribe":
                    break
            else:
                raise SetupError("redis did not confirm the result observer's subscription")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        self._thread.start()
        return self

    def _run(self):
        skip = len(self._prefix)
        while not self._stop.is_set():
            message = self._pubsub.get_message(timeout=0.2)
            if message and message["type"] == "pmessage":
                self.stamps.setdefault(message["channel"][skip:].decode(), time.monotonic())

    def wait_for(self, count, timeout=5.0):
        """Gives the thread time to read what redis already published (it may lag behind
        the submitter) until `count` results are stamped; missing ones are left out."""
        deadline = time.monotonic() + timeout
        while len(self.stamps) < count and time.monotonic() < deadline:
            time.sleep(0.01)

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self._pubsub.close()
        self._client.close()


def percentile(sorted_values, pct):
    """Nearest-rank percentile (pct an int in 1..100) of an ascending list."""
    return sorted_values[max(1, -(-pct * len(sorted_values) // 100)) - 1]


def _latency_ms(prefix, seconds):
    values = sorted(seconds)
    return {f"{prefix}p{pct}_ms": percentile(values, pct) * 1e3 for pct in (50, 95, 99)}


def _lag_ms(lags):
    """How late a paced submitter called delay(), behind its schedule (already in latency)."""
    return {**_latency_ms("submit_lag_", lags), "submit_lag_max_ms": max(lags) * 1e3}


def _result_key_prefix(backend):
    """The redis key (and pub/sub channel) prefix of stored results: celery-task-meta-."""
    prefix = backend.get_key_for_task("")
    return prefix.decode() if isinstance(prefix, bytes) else prefix


def _submit_and_join(task, texts, n_items, rate, worker):
    """Submits n_items tasks (item ids 0..n_items-1) and collects every result; returns the
    times and results as plain data (no AsyncResult outlives the run: see _detach_results)."""
    run = {"submit": [], "task_ids": [], "results": [None] * n_items, "lag": []}
    pending = []
    consumer = task.app.backend.result_consumer
    t0 = time.monotonic() + 0.01  # the first item's schedule leaves time to reach the loop
    for i in range(n_items):
        if rate:
            due = t0 + i / rate
            now = time.monotonic()
            # Consume results while waiting for the next slot, as a waiting client does; it
            # also keeps redis's pub/sub output buffer for this client (8 MB soft limit) small.
            while now < due:
                consumer.drain_events(timeout=due - now)
                now = time.monotonic()
            run["lag"].append(now - due)
            run["submit"].append(due)
        else:
            run["submit"].append(time.monotonic())
        pending.append(task.delay(i, texts[i % len(texts)]))
    run["t_last_submit"] = time.monotonic()

    def collect(_task_id, value):
        run["results"][value["id"]] = value

    # interval: how long the join waits for a message before it looks at what it holds; at
    # the default 0.5 s, a paced run whose results had all arrived ended 0.5 s late.
    ResultSet(pending, app=task.app).join_native(timeout=JOIN_TIMEOUT_S, interval=0.05,
                                                 callback=collect, on_interval=worker.check)
    run["t_done"] = time.monotonic()
    run["task_ids"] = [r.id for r in pending]
    return run


def _summarise(run, stamps, texts, model_path, check_labels):
    """The measurements of one run as a flat dict (see run_celery)."""
    submit, results, n_items = run["submit"], run["results"], len(run["results"])
    seconds = run["t_done"] - submit[0]
    stored = [stamps.get(task_id) for task_id in run["task_ids"]]
    model = cf.Model.load(model_path)
    mismatches = sum(model.classify(texts[i % len(texts)]) != results[i]["label"]
                     for i in range(min(check_labels, n_items)))
    out = {"items": n_items, "seconds": seconds, "items_per_s": n_items / seconds,
           "submit_s": run["t_last_submit"] - submit[0],
           **(_lag_ms(run["lag"]) if run["lag"] else {}),
           **_latency_ms("", [r["t_end"] - t for r, t in zip(results, submit)]),
           "observed": sum(s is not None for s in stored), "label_mismatches": mismatches}
    if all(s is not None for s in stored):
        out.update(_latency_ms("stored_", [s - t for s, t in zip(stored, submit)]))
    return out


@contextlib.contextmanager
def _no_gc_pauses():
    """Keeps Python's cyclic GC from running in the submitter during a measurement. The
    submitter holds every AsyncResult of the run (a few objects each, for the join), so a
    full collection scans them all: at 10,000 items they stalled submission for 50-250 ms
    and made a paced run's p99 the benchmark client's, not Celery's. A client that does not
    hold a whole run's results has no such pauses. (The workers keep their GC.)"""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _detach_results(app):
    """Closes the submitter's result subscription before redis stops. Deleting an AsyncResult
    sends an UNSUBSCRIBE, and Celery retries that for ~20 s when redis is gone: AsyncResults
    that outlive the server (a failed or interrupted run keeps them in its traceback and in
    the backend's pending table) must find no subscription to cancel."""
    consumer = app.backend.result_consumer
    consumer.stop()
    consumer._pubsub = None  # what cancel_for() checks before it sends anything


def run_celery(texts, model_path, n_items, rate=None, *, persistence="aof-everysec",
               concurrency=2, prefetch_multiplier=None, observe=True, check_labels=500,
               quiet=False):
    """Classifies n_items texts (cycling through `texts`) through Celery + redis; see the
    module docstring for what is measured. rate: items/s for a paced run, None = unpaced.
    observe: stamp stored results (the stored_* latencies) with a ResultObserver.
    check_labels: that many results are compared with the model classifying in this process
    (they must agree: same model, same text). Returns a flat dict of the measurements:
    items_per_s, p50/p95/p99_ms (to task end), stored_p50/p95/p99_ms, worker_rss_mb (the sum
    over the worker's processes; worker_rss_mb_each, main process first), redis_rss_mb, cpu_s
    (per process, and "other": what other programs took, the measure of a run's noise), ...

    An unpaced run reads no result until it has submitted everything, and each waiting result
    holds ~330 bytes in redis's output buffer for the submitter: past ~25,000 waiting results
    for 60 s, or ~100,000 at once, redis drops the subscription (its pub/sub client limits,
    8 MB / 32 MB) and Celery reconnects and re-fetches them, which then costs time."""
    with RedisServer(persistence, quiet=quiet) as redis_server:
        app = celery_tasks.make_app(redis_server.url, prefetch_multiplier)
        try:
            task = app.tasks[celery_tasks.TASK_NAME]
            with CeleryWorker(redis_server.url, model_path, concurrency, prefetch_multiplier,
                              app=app) as worker:
                # Connections, the pool processes and caches warm up outside the measurement.
                _submit_and_join(task, texts, min(WARMUP_ITEMS, n_items), None, worker)
                # Where the CPU goes (this process includes the observer thread).
                cpu = [os.times(), *worker.cpu_seconds(), redis_server.cpu_seconds(),
                       machine_busy_seconds()]
                observer = (ResultObserver(redis_server.url, _result_key_prefix(app.backend))
                            if observe else None)
                with observer or contextlib.nullcontext(), _no_gc_pauses():
                    run = _submit_and_join(task, texts, n_items, rate, worker)
                    if observer:
                        observer.wait_for(n_items)
                cpu_end = [os.times(), *worker.cpu_seconds(), redis_server.cpu_seconds(),
                           machine_busy_seconds()]
                worker_rss, worker_pss = worker.peak_rss_mb(), worker.pss_mb()
                redis_rss = redis_server.peak_rss_mb()
                prefetch = app.conf.worker_prefetch_multiplier
        finally:
            _detach_results(app)
            app.close()

    return {"system": f"Celery {celery.__version__} + redis {redis_server.version} "
                      f"(prefork {concurrency})",
            "rate": rate, "persistence": persistence, "prefetch_multiplier": prefetch,
            **_summarise(run, observer.stamps if observer else {}, texts, model_path,
                         check_labels),
            "worker_rss_mb": sum(worker_rss), "worker_rss_mb_each": worker_rss,
            "worker_pss_mb_end": worker_pss, "redis_rss_mb": redis_rss,
            "cpu_s": _cpu_split(cpu, cpu_end)}


def _cpu_split(start, end):
    """CPU seconds of the run per process (the submitter's include its observer thread) and
    of everything else on the machine ("other": a benchmark wants it near 0)."""
    spent = {"submitter": (end[0].user + end[0].system) - (start[0].user + start[0].system),
             **{k: b - a for k, a, b in zip(("worker_main", "worker_pool", "redis"),
                                             start[1:4], end[1:4])}}
    spent["other"] = max(0.0, (end[4] - start[4]) - sum(spent.values()))
    return spent

