#!/usr/bin/env python3
"""How soon reader engines (mode="read") see a writer's committed versions, and what opening costs.

Lag: a writer process commits N versions of one model (one small train() every --pause-ms) and
K reader processes poll their handle's ``version`` in a tight loop, each noting when it first
sees every version. Both sides stamp with time.perf_counter_ns() (CLOCK_MONOTONIC, shared by the
processes of one machine); the lag of a version is first-seen minus the writer's return from
train(). A reader skips a version when two commits land within one follow interval: reported
as "missed", which is expected.

Open time: a directory holding --models small models, closed; the median of --opens opens
(writer, then reader), and the same directory checks classiflow adds (canonical path, stat,
listing, the identity file, its flock) done by hand, to set the checks apart from RocksDB.

    /tmp/venv/bin/python bench/reader_lag.py [--versions 200] [--pause-ms 20] \
        [--readers 1,3] [--intervals 1,5,20] [--models 100] [--opens 20]
"""
import argparse
import fcntl
import multiprocessing as mp
import os
import statistics
import tempfile
import time

import classiflow as cf

LABELS = ["ham", "spam"]
DEADLINE_S = 60.0


def writer(path, versions, pause_s, ready, go, done, out):
    """Creates the model, waits for the readers, commits `versions` steps; sends (v, t_ns)."""
    with cf.Engine(path) as eng:
        model = eng.create_model("live", labels=LABELS)
        ready.set()
        go.wait(DEADLINE_S)
        stamps = []
        for i in range(versions):
            model.train(LABELS[i % 2], f"step {i} cheap pills team meeting")
            stamps.append((model.version, time.perf_counter_ns()))
            time.sleep(pause_s)
        out.put(("writer", stamps))
        done.wait(DEADLINE_S)  # stay the directory's writer until every reader is done


def reader(path, interval_ms, final, ready, out):
    """Polls the model's version until `final`; sends {version: first-seen t_ns}."""
    with cf.Engine(path, mode="read", follow_interval_ms=interval_ms) as eng:
        model = eng.model("live")
        ready.set()
        seen, last = {}, model.version
        end = time.monotonic() + DEADLINE_S
        while last < final and time.monotonic() < end:
            v = model.version
            if v != last:
                seen[v] = time.perf_counter_ns()
                last = v
        out.put(("reader", seen))


def percentile(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def measure_lag(ctx, readers, interval_ms, versions, pause_s):
    with tempfile.TemporaryDirectory(prefix="reader_lag_") as tmp:
        path = os.path.join(tmp, "db")
        out, wready, go, done = ctx.Queue(), ctx.Event(), ctx.Event(), ctx.Event()
        w = ctx.Process(target=writer, args=(path, versions, pause_s, wready, go, done, out))
        w.start()
        assert wready.wait(DEADLINE_S), "the writer did not start"
        rready = [ctx.Event() for _ in range(readers)]
        rs = [ctx.Process(target=reader, args=(path, interval_ms, versions, e, out)) for e in rready]
        for p in rs:
            p.start()
        for e in rready:
            assert e.wait(DEADLINE_S), "a reader did not open"
        go.set()
        results = [out.get(timeout=2 * DEADLINE_S) for _ in range(readers + 1)]
        done.set()
        for p in rs + [w]:
            p.join(DEADLINE_S)
    committed = dict(next(r for kind, r in results if kind == "writer"))
    lags, missed = [], 0
    for kind, seen in results:
        if kind != "reader":
            continue
        missed += sum(1 for v in committed if v not in seen)
        lags.extend((t - committed[v]) / 1e6 for v, t in seen.items() if v in committed)
    lags.sort()
    return {"mean": statistics.fmean(lags), "p50": percentile(lags, 0.5),
            "p99": percentile(lags, 0.99), "max": lags[-1], "missed": missed,
            "seen": len(lags), "total": len(committed) * readers}


def median_ms(action, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        done = action()
        times.append((time.perf_counter_ns() - t0) / 1e6)
        if done is not None:
            done.close()
    return statistics.median(times)


def directory_checks(path):
    """The syscalls of classiflow's directory checks, by hand (no RocksDB)."""
    canonical = os.path.realpath(path)
    os.stat(canonical)
    sorted(os.listdir(canonical))
    mark = os.path.join(canonical, "CLASSIFLOW")
    with open(mark, "rb") as f:
        f.read()
    fd = os.open(mark, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    sorted(os.listdir(canonical))  # listed again under the lock
    os.close(fd)


def measure_open(models, repeat):
    with tempfile.TemporaryDirectory(prefix="reader_open_") as tmp:
        path = os.path.join(tmp, "db")
        with cf.Engine(path) as eng:
            for i in range(models):
                eng.create_model(f"m{i:03d}", labels=LABELS).train("spam", f"cheap pills {i}")
        return {
            "writer": median_ms(lambda: cf.Engine(path), repeat),
            "reader": median_ms(lambda: cf.Engine(path, mode="read"), repeat),
            "checks": median_ms(lambda: directory_checks(path), repeat),
        }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--versions", type=int, default=200)
    ap.add_argument("--pause-ms", type=float, default=20)
    ap.add_argument("--readers", default="1,3")
    ap.add_argument("--intervals", default="1,5,20")
    ap.add_argument("--models", type=int, default=100)
    ap.add_argument("--opens", type=int, default=20)
    args = ap.parse_args()
    ctx = mp.get_context("spawn")

    print(f"{args.versions} versions, one train() every {args.pause_ms:g} ms; lag = first seen by "
          "a reader - train() returned in the writer\n")
    print("| readers | follow_interval_ms | lag mean ms | p50 ms | p99 ms | max ms | versions missed |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for readers in (int(x) for x in args.readers.split(",")):
        for interval in (int(x) for x in args.intervals.split(",")):
            r = measure_lag(ctx, readers, interval, args.versions, args.pause_ms / 1000)
            print(f"| {readers} | {interval} | {r['mean']:.2f} | {r['p50']:.2f} | {r['p99']:.2f} | "
                  f"{r['max']:.2f} | {r['missed']} of {r['total']} |", flush=True)

    few, many = measure_open(1, args.opens), measure_open(args.models, args.opens)
    print(f"\nopen (then close, not timed), median of {args.opens}:\n")
    print(f"| open | 1 model, ms | {args.models} models, ms |\n|---|---:|---:|")
    print(f"| writer `cf.Engine(path)` | {few['writer']:.2f} | {many['writer']:.2f} |")
    print(f"| reader `cf.Engine(path, mode=\"read\")` | {few['reader']:.2f} | {many['reader']:.2f} |")
    print(f"| the directory checks alone (same syscalls, by hand) | {few['checks']:.3f} | "
          f"{many['checks']:.3f} |")

if __name__ == "__main__":
    main()
