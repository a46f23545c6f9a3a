"""examples/python/basic.py: open a database, create a table, insert, query.

Run: python examples/python/basic.py [path]   (after `pip install ./bindings/python`)
"""

import sys

import chorusdb


def main(path):
    conn = chorusdb.connect(path)
    conn.row_factory = chorusdb.Row
    with conn:      # one transaction: committed at the end of the block, rolled back on error
        conn.execute("CREATE TABLE IF NOT EXISTS fruit(id INTEGER PRIMARY KEY, name TEXT, "
                     "price REAL)")
        conn.executemany("INSERT INTO fruit(name, price) VALUES (?, ?)",
                         [("apple", 0.5), ("pear", 0.75), ("fig", 1.2)])
    for row in conn.execute("SELECT name, price FROM fruit WHERE price < :limit ORDER BY price",
                            {"limit": 1.0}):
        print(f"{row['name']:<8} {row['price']:.2f}")
    total = conn.execute("SELECT count(*) FROM fruit").fetchone()[0]
    print(f"{total} rows in {path} (chorusdb {chorusdb.version})")
    conn.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "fruit.db")
