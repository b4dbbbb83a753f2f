#!/usr/bin/python3
"""Tables and a plot from bench_conflict's Google Benchmark JSON (scripts/bench writes it).

    scripts/plot_bench.py build/bench/results.json --table
    scripts/plot_bench.py build/bench/results.json --svg docs/benchmarks-conflict.svg

Benchmark names are conflict/<impl>/<layout>/<n>[/sequential] (see benchmarks/conflict.cpp).
Every figure is the median over repetitions of CPU time per check (Google Benchmark's default
clock, the one items_per_second is computed from).
"""

import argparse
import json
import statistics
import sys
from collections import defaultdict

IMPLS = ["slotbook", "std_set", "boost_icl", "sqlite_memory", "sqlite_file", "memory_store",
         "sqlite_store", "linear_scan"]
LAYOUTS = ["one_provider", "many_providers"]
PATTERNS = ["random", "sequential"]
TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def load(path):
    """{(impl, layout, n, pattern): {"ns": median ns per check, "bytes": bytes per booking}}"""
    with open(path) as f:
        data = json.load(f)
    samples = defaultdict(list)
    bytes_per = {}
    medians = {}
    errors = {}
    for b in data["benchmarks"]:
        parts = b["run_name"].split("/")
        if parts[0] != "conflict" or len(parts) not in (4, 5):
            continue
        key = (parts[1], parts[2], int(parts[3]), parts[4] if len(parts) == 5 else "random")
        if b.get("error_occurred"):
            errors[key] = b.get("error_message", "error")
            continue
        ns = b["cpu_time"] * TO_NS[b.get("time_unit", "ns")]
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                medians[key] = ns
        else:
            samples[key].append(ns)
        # Memory is the same in every repetition; stddev and cv aggregates would read as 0.
        if "bytes_per_booking" in b and b.get("aggregate_name") in (None, "mean", "median"):
            bytes_per[key] = b["bytes_per_booking"]
    results = {}
    for key in set(samples) | set(medians):
        ns = medians.get(key, statistics.median(samples[key]) if samples[key] else None)
        results[key] = {"ns": ns, "bytes": bytes_per.get(key)}
    return results, errors, data.get("context", {})


def fmt_ns(ns):
    if ns is None:
        return ""
    if ns >= 1e6:
        return f"{ns / 1e6:.3g} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.3g} µs"
    return f"{ns:.3g} ns"


def fmt_n(n):
    exp = len(str(n)) - 1
    return f"10^{exp}" if n == 10 ** exp else str(n)


def impls_in(results, layout, pattern):
    present = {k[0] for k in results if k[1] == layout and k[3] == pattern}
    return [i for i in IMPLS if i in present]


def print_tables(results, errors, context, out=sys.stdout):
    if context:
        print(f"Machine: {context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} "
              f"MHz, load average {context.get('load_avg', '?')}; {context.get('date', '')}",
              file=out)
    for layout in LAYOUTS:
        for pattern in PATTERNS:
            impls = impls_in(results, layout, pattern)
            if not impls:
                continue
            sizes = sorted({k[2] for k in results if k[1] == layout and k[3] == pattern})
            print(f"\n### {layout}, {pattern} queries: median CPU time per check\n", file=out)
            print("| n | " + " | ".join(impls) + " |", file=out)
            print("| --- " * (len(impls) + 1) + "|", file=out)
            for n in sizes:
                cells = [fmt_ns(results.get((i, layout, n, pattern), {}).get("ns")) for i in impls]
                print(f"| {fmt_n(n)} | " + " | ".join(cells) + " |", file=out)
            others = [i for i in impls if i != "slotbook"]
            if "slotbook" in impls and others:
                print(f"\n{layout}, {pattern}: how many times slotbook's checks/s each "
                      "alternative's is (its time / slotbook's)\n", file=out)
                print("| n | slotbook checks/s | " + " | ".join(others) + " |", file=out)
                print("| --- " * (len(others) + 2) + "|", file=out)
                for n in sizes:
                    mine = results.get(("slotbook", layout, n, pattern), {}).get("ns")
                    if not mine:
                        continue
                    cells = []
                    for i in others:
                        theirs = results.get((i, layout, n, pattern), {}).get("ns")
                        cells.append(f"{theirs / mine:,.3g}×" if theirs else "")
                    print(f"| {fmt_n(n)} | {1e9 / mine / 1e6:.3g} M | " + " | ".join(cells) + " |",
                          file=out)
    memory = sorted({(k[0], k[1], k[2]) for k, v in results.items() if v["bytes"] is not None},
                    key=lambda k: (LAYOUTS.index(k[1]), IMPLS.index(k[0]), k[2]))
    if memory:
        print("\n### bytes per booking (heap held by the structure / n)\n", file=out)
        sizes = sorted({k[2] for k in memory})
        for layout in LAYOUTS:
            impls = [i for i in IMPLS if any(k[0] == i and k[1] == layout for k in memory)]
            if not impls:
                continue
            print(f"| {layout}, n | " + " | ".join(impls) + " |", file=out)
            print("| --- " * (len(impls) + 1) + "|", file=out)
            for n in sizes:
                cells = []
                for i in impls:
                    v = results.get((i, layout, n, "random"), {}).get("bytes")
                    cells.append(f"{v:.1f}" if v is not None else "")
                print(f"| {fmt_n(n)} | " + " | ".join(cells) + " |", file=out)
            print(file=out)
    check_targets(results, out)
    for key, message in sorted(errors.items()):
        print(f"ERROR {'/'.join(map(str, key))}: {message}", file=out)


def check_targets(results, out):
    """The issue's targets, as measured in this run (reported, never used to tune anything)."""
    def ns(impl, layout, n=10 ** 6):
        return results.get((impl, layout, n, "random"), {}).get("ns")

    lines = []
    one = ns("slotbook", "one_provider")
    if one:
        lines.append(f"slotbook, 10^6 bookings of one provider: {one:.1f} ns per check "
                     f"(target <= 75 ns): {'met' if one <= 75 else 'NOT met'}")
        for impl, want in (("linear_scan", 1000), ("std_set", 10), ("boost_icl", 10),
                           ("sqlite_memory", 40)):
            theirs = ns(impl, "one_provider")
            if theirs:
                ratio = theirs / one
                lines.append(f"  vs {impl}: {ratio:,.1f}x (target >= {want}x): "
                             f"{'met' if ratio >= want else 'NOT met'}")
    many = ns("slotbook", "many_providers")
    if many:
        rate = 1e3 / many
        lines.append(f"slotbook, 10^6 bookings over 1,000 providers: {rate:.1f} M checks/s "
                     f"(target >= 25 M/s): {'met' if rate >= 25 else 'NOT met'}")
    one_bytes = results.get(("slotbook", "one_provider", 10 ** 6, "random"), {}).get("bytes")
    if one_bytes:
        lines.append(f"slotbook memory at 10^6 (one provider): {one_bytes:.1f} bytes per booking "
                     f"(target <= 32): {'met' if one_bytes <= 32 else 'NOT met'}")
    if lines:
        print("\n### targets\n", file=out)
        for line in lines:
            print(line, file=out)


def plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "slotbook-bench-conflict"  # stable ids in the SVG
    styles = {
        "slotbook": ("#d62728", "o"), "std_set": ("#1f77b4", "s"), "boost_icl": ("#17becf", "D"),
        "sqlite_memory": ("#2ca02c", "^"), "sqlite_file": ("#98df8a", "v"),
        "memory_store": ("#9467bd", "P"), "sqlite_store": ("#8c564b", "X"),
        "linear_scan": ("#7f7f7f", "x"),
    }
    fig, axes = plt.subplots(2, 2, figsize=(11, 8.5), sharex=True, sharey=True)
    for row, layout in enumerate(LAYOUTS):
        for col, pattern in enumerate(PATTERNS):
            ax = axes[row][col]
            for impl in impls_in(results, layout, pattern):
                points = sorted((k[2], v["ns"]) for k, v in results.items()
                                if k[0] == impl and k[1] == layout and k[3] == pattern and v["ns"])
                if not points:
                    continue
                color, marker = styles.get(impl, ("black", "."))
                ax.plot([p[0] for p in points], [1e9 / p[1] for p in points], label=impl,
                        color=color, marker=marker, linewidth=2.2 if impl == "slotbook" else 1.2)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.grid(True, which="major", alpha=0.4)
            ax.grid(True, which="minor", alpha=0.1)
            ax.set_title(f"{layout.replace('_', ' ')}, {pattern} queries", fontsize=11)
            if row == 1:
                ax.set_xlabel("bookings (n)")
            if col == 0:
                ax.set_ylabel("checks per second (one thread)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, frameon=False)
    fig.suptitle("Conflict check: \"does [b, e) overlap a booking of provider P?\"")
    fig.tight_layout(rect=(0, 0.07, 1, 0.97))
    fig.savefig(path, format="svg", metadata={"Date": None})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json", help="Google Benchmark JSON from bench_conflict")
    parser.add_argument("--table", action="store_true", help="print Markdown tables to stdout")
    parser.add_argument("--svg", metavar="PATH", help="write the throughput plot as SVG")
    args = parser.parse_args()
    results, errors, context = load(args.json)
    if not results and not errors:
        sys.exit(f"{args.json}: no conflict/ benchmarks")
    if args.table or not args.svg:
        print_tables(results, errors, context)
    if args.svg:
        plot(results, args.svg)


if __name__ == "__main__":
    main()
