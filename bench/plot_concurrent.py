#!/usr/bin/env python3
"""bench/plot_concurrent.py: draws bench_concurrent's CSV as throughput against
connections, one panel per workload and synchronous level, one line per engine.

Input: the CSV that `bench_concurrent -o FILE` writes, or bench_concurrent's
whole output (the block between "--- csv ---" and "--- end csv ---" is read),
from a file or from standard input ("-").

Usage: python3 bench/plot_concurrent.py results.csv [out.png]
Needs matplotlib (pip install matplotlib).
"""
import csv
import io
import sys

WORKLOAD_TITLES = {
    "batch": "100-row transactions, disjoint ids",
    "single": "1-row transactions, disjoint ids",
    "hot": "hot row (counter += 1)",
}
ENGINE_STYLES = {"chorus": ("tab:blue", "o"), "sqlite": ("tab:gray", "s")}


def read_rows(text):
    """The CSV rows as dicts, from a bare CSV or from the bench's output."""
    lines = text.splitlines()
    if "--- csv ---" in lines:
        start = lines.index("--- csv ---") + 1
        end = lines.index("--- end csv ---") if "--- end csv ---" in lines else len(lines)
        lines = lines[start:end]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def panels(rows):
    """(workload, sync) pairs in the order the bench ran them."""
    seen = []
    for r in rows:
        key = (r["workload"], r["sync"])
        if key not in seen:
            seen.append(key)
    return seen


def engine_label(rows, engine):
    modes = {r["mode"] for r in rows if r["engine"] == engine}
    return f"{engine} ({', '.join(sorted(modes))})"


def plot(rows, out_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = panels(rows)
    workloads = list(dict.fromkeys(k[0] for k in keys))
    syncs = list(dict.fromkeys(k[1] for k in keys))
    fig, axes = plt.subplots(len(workloads), len(syncs), squeeze=False,
                             figsize=(5.5 * len(syncs), 3.6 * len(workloads)))
    for i, w in enumerate(workloads):
        for j, s in enumerate(syncs):
            ax = axes[i][j]
            unit = "rows/s" if w == "batch" else "transactions/s"
            column = "rows_per_s" if w == "batch" else "tx_per_s"
            for engine, (color, marker) in ENGINE_STYLES.items():
                pts = sorted((int(r["connections"]), float(r[column])) for r in rows
                             if r["workload"] == w and r["sync"] == s and r["engine"] == engine)
                if pts:
                    ax.plot([p[0] for p in pts], [p[1] for p in pts], color=color, marker=marker,
                            label=engine_label(rows, engine))
            conns = sorted({int(r["connections"]) for r in rows})
            ax.set_xscale("log", base=2)
            ax.set_xticks(conns)
            ax.set_xticklabels([str(c) for c in conns])
            ax.set_ylim(bottom=0)
            ax.set_title(f"{WORKLOAD_TITLES.get(w, w)}, synchronous={s}", fontsize=10)
            ax.set_xlabel("connections (one thread each)")
            ax.set_ylabel(unit)
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out_path, dpi=110)
    print(f"wrote {out_path}")


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 2
    text = sys.stdin.read() if argv[1] == "-" else open(argv[1], encoding="utf-8").read()
    rows = read_rows(text)
    if not rows:
        print("plot_concurrent.py: no CSV rows found", file=sys.stderr)
        return 1
    plot(rows, argv[2] if len(argv) > 2 else "bench_concurrent.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
