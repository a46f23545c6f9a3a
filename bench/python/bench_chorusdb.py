#!/usr/bin/env python3
"""bench/python/bench_chorusdb.py: the Python binding `chorusdb` against the stdlib `sqlite3`
on the same workloads, side by side in one process.

Workloads (each round on a fresh database file in a temporary directory; WAL and
synchronous=NORMAL for both modules, except that the threaded workload asks ChorusDB for
journal_mode='mvcc' first):
  bulk insert     executemany of `rows` rows in one transaction                 rows/s
  point insert    one INSERT per autocommit transaction                          rows/s
  point select    SELECT by random primary key through the statement cache      queries/s
  full scan       SELECT * ... fetchall() over the whole table                   rows/s
  group by        SELECT grp, count(*), sum(), avg() ... GROUP BY grp            table rows/s
  threads T       T threads (1, 2, 4), one connection each, inserting disjoint
                  rows in transactions of 100 rows                                rows/s
                  sqlite3: BEGIN IMMEDIATE with a busy timeout; chorusdb:
                  conn.transaction(..., mode="concurrent") when PRAGMA
                  journal_mode='mvcc' answers "mvcc", else mode="immediate"
Each workload runs `rounds` times per module, alternating which module goes first; each
round prints both rates and the ratio, and a final line per workload gives the medians.
ratio = chorusdb / sqlite3: > 1 means ChorusDB is faster.

Standard library only (plus chorusdb itself). Usage: see --help. Callers: people
comparing the two modules; bench/python/README.md records a run.
"""

import argparse
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time

import chorusdb

SCHEMA = "CREATE TABLE t(id INTEGER PRIMARY KEY, grp INTEGER, name TEXT, val REAL)"
INSERT = "INSERT INTO t VALUES (?, ?, ?, ?)"
GROUPS = 100
THREAD_TX_ROWS = 100


def row(i):
    """The row with primary key i; the same for both modules."""
    return (i, i % GROUPS, f"name-{i:08d}", i * 0.5)


def remove_db(path):
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass


class Module:
    """One of the two modules under test: how to connect, and how to run one
    write transaction of a thread in the threaded workload."""

    def __init__(self, name, module):
        self.name = name
        self.module = module
        self.thread_mode = "immediate"     # what the threaded workload used

    def connect(self, path, set_journal=True):
        """A connection to path in autocommit mode with synchronous=NORMAL; WAL is set
        unless set_journal is False (later connections to a database whose mode was
        already chosen, such as MVCC for the threaded workload)."""
        conn = self.module.connect(path, isolation_level=None, timeout=30.0)
        if set_journal:
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def journal_mode(self, conn):
        return conn.execute("PRAGMA journal_mode").fetchone()[0]


class SqliteModule(Module):
    def prepare_threads(self, conn):
        self.thread_mode = "BEGIN IMMEDIATE"

    def write_tx(self, conn, rows, counter):
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(INSERT, rows)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


class ChorusModule(Module):
    def prepare_threads(self, conn):
        """Switches the fresh database to MVCC when the engine can; the answer decides
        the transaction mode of the threaded workload."""
        try:
            answer = conn.execute("PRAGMA journal_mode='mvcc'").fetchone()[0]
        except chorusdb.Error:
            answer = None
        mvcc = isinstance(answer, str) and answer.lower() == "mvcc"
        self.thread_mode = "concurrent" if mvcc else "immediate"

    def write_tx(self, conn, rows, counter):
        def body(c):
            counter[0] += 1            # one call per attempt: retries show as extra calls
            c.executemany(INSERT, rows)
        conn.transaction(body, mode=self.thread_mode, attempts=50)


def fresh_db(mod, path, filled_rows):
    """A new database at path with the table, holding filled_rows rows; returns the
    open connection."""
    remove_db(path)
    conn = mod.connect(path)
    conn.execute(SCHEMA)
    if filled_rows:
        conn.execute("BEGIN")
        conn.executemany(INSERT, (row(i) for i in range(1, filled_rows + 1)))
        conn.execute("COMMIT")
    return conn


# Each workload: (mod, path, args) -> operations per second, plus an optional note.

def wl_bulk_insert(mod, path, args):
    conn = fresh_db(mod, path, 0)
    rows = [row(i) for i in range(1, args.rows + 1)]
    start = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(INSERT, rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return args.rows / elapsed, None


def wl_point_insert(mod, path, args):
    conn = fresh_db(mod, path, 0)
    n = args.point_inserts
    start = time.perf_counter()
    for i in range(1, n + 1):
        conn.execute(INSERT, row(i))
    elapsed = time.perf_counter() - start
    conn.close()
    return n / elapsed, None


def wl_point_select(mod, path, args):
    conn = fresh_db(mod, path, args.rows)
    rng = random.Random(42)
    keys = [rng.randint(1, args.rows) for _ in range(args.lookups)]
    sql = "SELECT grp, name, val FROM t WHERE id = ?"
    start = time.perf_counter()
    for k in keys:
        if conn.execute(sql, (k,)).fetchone() is None:
            raise RuntimeError(f"{mod.name}: row {k} missing")
    elapsed = time.perf_counter() - start
    conn.close()
    return len(keys) / elapsed, None


def wl_full_scan(mod, path, args):
    conn = fresh_db(mod, path, args.rows)
    start = time.perf_counter()
    got = conn.execute("SELECT id, grp, name, val FROM t").fetchall()
    elapsed = time.perf_counter() - start
    conn.close()
    if len(got) != args.rows:
        raise RuntimeError(f"{mod.name}: scan saw {len(got)} rows, not {args.rows}")
    return args.rows / elapsed, None


def wl_group_by(mod, path, args):
    conn = fresh_db(mod, path, args.rows)
    sql = "SELECT grp, count(*), sum(val), avg(length(name)) FROM t GROUP BY grp"
    start = time.perf_counter()
    for _ in range(args.group_queries):
        got = conn.execute(sql).fetchall()
    elapsed = time.perf_counter() - start
    conn.close()
    if len(got) != min(GROUPS, args.rows):
        raise RuntimeError(f"{mod.name}: GROUP BY gave {len(got)} groups")
    return args.rows * args.group_queries / elapsed, None


def make_wl_threads(n_threads):
    def wl_threads(mod, path, args):
        setup = fresh_db(mod, path, 0)
        mod.prepare_threads(setup)
        per_thread = args.thread_rows
        barrier = threading.Barrier(n_threads + 1)
        counters = [[0] for _ in range(n_threads)]
        errors = []

        def worker(t):
            try:
                conn = mod.connect(path, set_journal=False)
                base = t * per_thread
                ids = range(base + 1, base + per_thread + 1)
                batches = [[row(i) for i in ids[j:j + THREAD_TX_ROWS]]
                           for j in range(0, per_thread, THREAD_TX_ROWS)]
                barrier.wait()
                for batch in batches:
                    mod.write_tx(conn, batch, counters[t])
                conn.close()
            except BaseException as exc:      # reported by the main thread
                errors.append(exc)
                barrier.abort()

        threads = [threading.Thread(target=worker, args=(t,)) for t in range(n_threads)]
        for th in threads:
            th.start()
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass                              # a worker failed; its error is in errors
        start = time.perf_counter()
        for th in threads:
            th.join()
        elapsed = time.perf_counter() - start
        if errors:
            raise errors[0]
        total = setup.execute("SELECT count(*) FROM t").fetchone()[0]
        setup.close()
        if total != n_threads * per_thread:
            raise RuntimeError(f"{mod.name}: {total} rows after the threads, "
                               f"not {n_threads * per_thread}")
        note = f"mode={mod.thread_mode}"
        if isinstance(mod, ChorusModule):
            tx = n_threads * ((per_thread + THREAD_TX_ROWS - 1) // THREAD_TX_ROWS)
            note += f" retries={sum(c[0] for c in counters) - tx}"
        return total / elapsed, note
    return wl_threads


def workloads(args):
    table = [
        ("bulk insert (executemany)", wl_bulk_insert, "rows/s"),
        ("point insert (autocommit)", wl_point_insert, "rows/s"),
        ("point select by PK", wl_point_select, "queries/s"),
        ("full scan fetchall", wl_full_scan, "rows/s"),
        ("group by aggregate", wl_group_by, "rows/s"),
    ]
    for t in args.threads:
        table.append((f"threads={t} insert tx/100", make_wl_threads(t), "rows/s"))
    return table


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=100_000,
                   help="rows of the bulk insert and of the read workloads' table (100000)")
    p.add_argument("--point-inserts", type=int, default=5_000,
                   help="autocommit single-row inserts (5000)")
    p.add_argument("--lookups", type=int, default=50_000, help="point selects (50000)")
    p.add_argument("--group-queries", type=int, default=5,
                   help="GROUP BY queries per round (5)")
    p.add_argument("--thread-rows", type=int, default=10_000,
                   help="rows each thread inserts (10000)")
    p.add_argument("--threads", default="1,2,4", help="thread counts, comma-separated (1,2,4)")
    p.add_argument("--rounds", type=int, default=3, help="rounds per module (3); medians")
    p.add_argument("--only", default="",
                   help="run only workloads whose name contains this text")
    p.add_argument("--dir", default=None, help="directory for the database files (a temp dir)")
    args = p.parse_args(argv)
    args.threads = [int(x) for x in args.threads.split(",") if x.strip()]
    if args.rows < GROUPS or args.rounds < 1 or any(t < 1 for t in args.threads):
        p.error("need --rows >= 100, --rounds >= 1 and thread counts >= 1")
    return args


def header(args, mods, directory):
    print(f"chorusdb {chorusdb.version} (engine {chorusdb.chorus_version}) vs "
          f"sqlite3 {sqlite3.sqlite_version} (stdlib module); Python {platform.python_version()}")
    print(f"machine: {platform.machine()} {os.cpu_count()} CPUs, {platform.platform()}; "
          f"files in {directory}")
    for mod in mods:
        path = os.path.join(directory, f"probe-{mod.name}.db")
        conn = fresh_db(mod, path, 0)
        sync = conn.execute("PRAGMA synchronous").fetchone()[0]
        print(f"{mod.name}: journal_mode={mod.journal_mode(conn)} synchronous={sync}")
        conn.close()
        remove_db(path)
    print(f"rows={args.rows} point_inserts={args.point_inserts} lookups={args.lookups} "
          f"group_queries={args.group_queries} thread_rows={args.thread_rows} "
          f"rounds={args.rounds}")
    print("ratio = chorusdb / sqlite3 (> 1: ChorusDB is faster); final lines are medians")
    print()


def run_workload(name, fn, unit, mods, directory, args):
    rates = {mod.name: [] for mod in mods}
    notes = {mod.name: "" for mod in mods}
    for r in range(args.rounds):
        for k in range(len(mods)):
            mod = mods[(r + k) % len(mods)]
            path = os.path.join(directory, f"{mod.name}.db")
            rate, note = fn(mod, path, args)
            remove_db(path)
            rates[mod.name].append(rate)
            notes[mod.name] = note or ""
        c, s = rates["chorusdb"][-1], rates["sqlite3"][-1]
        print(f"  {name:<28} round {r + 1}: chorusdb {c:>12,.0f}  sqlite3 {s:>12,.0f}  "
              f"ratio {c / s:6.2f}", flush=True)
    c = statistics.median(rates["chorusdb"])
    s = statistics.median(rates["sqlite3"])
    extra = "  ".join(f"{m}: {n}" for m, n in notes.items() if n)
    line = f"{name:<28} {c:>14,.0f} {s:>14,.0f} {c / s:8.2f}  {unit}"
    print(f"= {line}" + (f"  ({extra})" if extra else ""), flush=True)
    return line + (f"  ({extra})" if extra else "")


def main(argv):
    args = parse_args(argv)
    mods = [ChorusModule("chorusdb", chorusdb), SqliteModule("sqlite3", sqlite3)]
    directory = args.dir or tempfile.mkdtemp(prefix="chorus-pybench-")
    own_dir = args.dir is None
    try:
        header(args, mods, directory)
        summary = []
        for name, fn, unit in workloads(args):
            if args.only and args.only not in name:
                continue
            summary.append(run_workload(name, fn, unit, mods, directory, args))
        print()
        print(f"{'workload':<28} {'chorusdb':>14} {'sqlite3':>14} {'ratio':>8}  unit")
        for line in summary:
            print(line)
    finally:
        if own_dir:
            shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
