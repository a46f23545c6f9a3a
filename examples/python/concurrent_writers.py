"""examples/python/concurrent_writers.py: N threads, one connection each, moving money
between accounts with the retry helper.

Each transfer runs in conn.transaction(...): when a concurrent transaction wins a write
race the transfer is rolled back and tried again (chorusdb.ConflictError), so no update
is lost and the total never changes. In MVCC mode (PRAGMA journal_mode = 'mvcc') the
threads write at the same time with BEGIN CONCURRENT; where the engine lacks MVCC the
example falls back to BEGIN IMMEDIATE, one writer at a time.

Run: python examples/python/concurrent_writers.py [path] [threads] [transfers-per-thread]
"""

import random
import sys
import threading

import chorusdb

ACCOUNTS = 10


def setup(path):
    """Creates the accounts; returns the transaction mode the engine supports."""
    conn = chorusdb.connect(path, isolation_level=None)
    # The schema first, in WAL mode: MVCC mode does not take every schema change yet.
    conn.execute("PRAGMA journal_mode = 'wal'")
    conn.execute("DROP TABLE IF EXISTS account")
    conn.execute("CREATE TABLE account(id INTEGER PRIMARY KEY, balance INT NOT NULL)")
    conn.executemany("INSERT INTO account VALUES (?, 100)", [(i,) for i in range(ACCOUNTS)])
    try:
        row = conn.execute("PRAGMA journal_mode = 'mvcc'").fetchone()
        mode = "concurrent" if row and str(row[0]).lower() == "mvcc" else "immediate"
    except chorusdb.DatabaseError:
        mode = "immediate"
    conn.close()
    return mode


def transfer(conn, source, target, amount):
    """The transaction body: may run several times, so it only touches the database."""
    conn.execute("UPDATE account SET balance = balance - ? WHERE id = ?", (amount, source))
    conn.execute("UPDATE account SET balance = balance + ? WHERE id = ?", (amount, target))


def worker(path, mode, transfers, seed):
    rng = random.Random(seed)
    conn = chorusdb.connect(path, timeout=30)
    for _ in range(transfers):
        source, target = rng.sample(range(ACCOUNTS), 2)
        conn.transaction(transfer, source, target, rng.randint(1, 5), mode=mode, attempts=100)
    conn.close()


def main(path, threads, transfers):
    mode = setup(path)
    workers = [threading.Thread(target=worker, args=(path, mode, transfers, seed))
               for seed in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    conn = chorusdb.connect(path)
    total = conn.execute("SELECT sum(balance) FROM account").fetchone()[0]
    conn.close()
    print(f"{threads} threads x {transfers} transfers ({mode}): total balance {total} "
          f"(expected {ACCOUNTS * 100})")
    return 0 if total == ACCOUNTS * 100 else 1


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(main(args[0] if args else "bank.db", int(args[1]) if len(args) > 1 else 4,
                  int(args[2]) if len(args) > 2 else 200))
