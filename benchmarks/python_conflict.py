"""The conflict check from Python: per-call cost of one IntervalIndex.is_free, and the batch API's
throughput, with 10^6 bookings of one provider, next to the C++ figure of bench_conflict.

Run it with the extension and the package on the path (a Release build for meaningful figures):

    PYTHONPATH=build-rel/bindings/python:bindings/python /usr/bin/python3 benchmarks/python_conflict.py \
        [--bench-conflict build-rel/benchmarks/bench_conflict] [--bookings 1000000]

The data mirrors benchmarks/conflict.cpp: 60-minute bookings separated by random gaps of 0 to 120
minutes in 15-minute steps, inserted in time order shuffled within windows of 1,000; queries are
60-minute windows starting on a random second of the booked period (the share that conflicts is
printed). Times come from time.perf_counter (wall clock) over repeated passes, the best pass
reported; the process's CPU time (time.process_time) is printed beside it, and bench_conflict's
cpu_time beside its real_time, so that figures taken on a busy machine can still be read. There
are no thresholds: this prints figures, it does not judge them.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from array import array
from datetime import datetime, timedelta, timezone
from pathlib import Path

import slotbook

START = 1_767_600_000  # Monday 2026-01-05 08:00 UTC, as bench_conflict
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def make_bookings(n: int, rng: random.Random) -> tuple[array, array, array]:
    begins, t = [], START
    for _ in range(n):
        t += rng.randrange(0, 121, 15) * 60
        begins.append(t)
        t += 3600
    order = list(range(n))
    for w in range(0, n, 1000):
        window = order[w : w + 1000]
        rng.shuffle(window)
        order[w : w + 1000] = window
    ids = array("q", (k + 1 for k in order))
    b = array("q", (begins[k] for k in order))
    e = array("q", (begins[k] + 3600 for k in order))
    return ids, b, e


def best_of(passes: int, fn) -> tuple[float, float]:
    """The best wall-clock and the best CPU time of `passes` runs of `fn`, in seconds."""
    wall = cpu = float("inf")
    for _ in range(passes):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - w0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu


def cpp_figure(binary: Path | None, n: int) -> dict[str, tuple[float, float]]:
    """(real, cpu) ns per check of bench_conflict's slotbook one_provider runs (medians of 3), or
    {} when the binary is not there."""
    if binary is None or not binary.exists():
        return {}
    name = f"conflict/slotbook/one_provider/{n}"
    out = subprocess.run(
        [str(binary), f"--benchmark_filter=^{name}(/sequential)?$", "--benchmark_format=json",
         "--benchmark_repetitions=3", "--benchmark_report_aggregates_only=true"],
        capture_output=True, text=True, check=True,
    ).stdout
    figures = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            key = "sequential" if "sequential" in b["run_name"] else "random"
            scale = {"ns": 1.0, "us": 1e3, "ms": 1e6}[b["time_unit"]]
            figures[key] = (b["real_time"] * scale, b["cpu_time"] * scale)
    return figures


def main() -> None:
    default_bench = Path(__file__).resolve().parent.parent / "build-py-rel" / "benchmarks" / "bench_conflict"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1 << 16, help="single-call queries per pass")
    parser.add_argument("--bench-conflict", type=Path, default=default_bench)
    args = parser.parse_args()
    n = args.bookings
    rng = random.Random(20260105)

    ids, begins, ends = make_bookings(n, rng)
    idx = slotbook.IntervalIndex()
    t_load, _ = best_of(1, lambda: idx.insert_many(ids, begins, ends))
    period_end = max(ends)
    q_begin = array("q", (rng.randrange(START, period_end - 3600) for _ in range(n)))
    q_end = array("q", (b + 3600 for b in q_begin))
    q_list_b, q_list_e = list(q_begin), list(q_end)
    spans = [
        slotbook.Interval(EPOCH + timedelta(seconds=b), EPOCH + timedelta(seconds=e))
        for b, e in zip(q_list_b[: args.queries], q_list_e[: args.queries])
    ]

    # Sanity: the batch and the single call agree, and about half the queries conflict.
    batch = idx.overlaps_many(q_begin[: args.queries], q_end[: args.queries])
    assert batch == [not idx.is_free(s) for s in spans]
    conflicting = sum(batch) / len(batch)

    is_free = idx.is_free
    single = [t / len(spans) for t in best_of(5, lambda: [is_free(s) for s in spans])]
    noop = lambda s: True  # noqa: E731 - the cost of the loop and a Python call alone
    loop = [t / len(spans) for t in best_of(5, lambda: [noop(s) for s in spans])]
    batch_buf = [t / n for t in best_of(5, lambda: idx.overlaps_many(q_begin, q_end))]
    batch_list = [t / n for t in best_of(3, lambda: idx.overlaps_many(q_list_b, q_list_e))]

    cpp = cpp_figure(args.bench_conflict, n)
    print(f"slotbook {slotbook.version()}, Python {sys.version.split()[0]}, {n:,} bookings "
          f"(loaded with insert_many in {t_load:.2f} s), {conflicting:.0%} of queries conflict")
    print("                                     wall ns   cpu ns")
    print(f"  single is_free(Interval), per call  {single[0] * 1e9:7.0f}  {single[1] * 1e9:7.0f}")
    print(f"  (a Python loop calling a no-op)     {loop[0] * 1e9:7.0f}  {loop[1] * 1e9:7.0f}")
    print(f"  overlaps_many, int64 buffers        {batch_buf[0] * 1e9:7.1f}  {batch_buf[1] * 1e9:7.1f}  per check")
    print(f"  overlaps_many, lists of int         {batch_list[0] * 1e9:7.1f}  {batch_list[1] * 1e9:7.1f}  per check")
    if cpp:
        real, cpu_ns = cpp["random"]
        print(f"  C++ bench_conflict, random          {real:7.1f}  {cpu_ns:7.1f}  per check")
        if "sequential" in cpp:
            print(f"  C++ bench_conflict, sequential      {cpp['sequential'][0]:7.1f}  {cpp['sequential'][1]:7.1f}  per check")
        print(f"  batch (buffers) / C++ random: {batch_buf[0] * 1e9 / real:.2f}x wall, "
              f"{batch_buf[1] * 1e9 / cpu_ns:.2f}x cpu")
    else:
        print(f"  C++ bench_conflict: not found at {args.bench_conflict} (build it in Release)")


if __name__ == "__main__":
    main()
