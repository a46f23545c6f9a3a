#!/usr/bin/env python3
"""tests/sql/lang/regen_expected.py FILE.test...: rewrites the expected
results of sqllogictest files from SQLite (python3's sqlite3 module; the
oracle is SQLite 3.40.1), so that the .test files are their own source.

Each record's SQL runs in order on one fresh in-memory database:
  - statement ok / statement error: becomes "statement ok", or
    "statement error <SQLite's message>" when SQLite fails it;
  - query: keeps its sort mode (nosort, rowsort), gets its types again (I
    when every value of the column is an integer or NULL, else T) and
    SQLite's rows, rendered as chorus-slt renders them (NULL, (empty), text
    with bytes outside 0x20..0x7e as '@', reals as CAST(x AS TEXT), integers
    of I columns cut to 32 bits); a query SQLite fails becomes a
    "statement error" record.
Comment lines, hash-threshold and blank lines stay as they are.
"""
import sqlite3
import sys


def render_text(aux, v):
    if v is None:
        return "NULL"
    if isinstance(v, float):
        v = aux.execute("SELECT CAST(? AS TEXT)", (v,)).fetchone()[0]
    if isinstance(v, int):
        v = str(v)
    b = (v.encode() if isinstance(v, str) else bytes(v)).split(b"\0")[0]
    if not b:
        return "(empty)"
    return "".join("@" if c < 0x20 or c > 0x7e else chr(c) for c in b)


def query_block(aux, sql, rows, ncol, sort):
    types = "".join("I" if all(r[i] is None or isinstance(r[i], int) for r in rows) else "T"
                    for i in range(ncol))
    printed = [[("NULL" if v is None else str(((v + 2**31) % 2**32) - 2**31))
                if types[i] == "I" else render_text(aux, v) for i, v in enumerate(r)]
               for r in rows]
    if sort == "rowsort":
        printed.sort(key=lambda row: [x.encode() for x in row])
    out = ["query %s %s" % (types, sort)] + sql + ["----"]
    for row in printed:
        out.extend(row)
    return out


def regen(path):
    conn = sqlite3.connect(":memory:", isolation_level=None)
    aux = sqlite3.connect(":memory:")
    lines = open(path).read().split("\n")
    out, i = [], 0
    while i < len(lines):
        words = lines[i].split()
        if not words or words[0] not in ("statement", "query"):
            out.append(lines[i])
            i += 1
            continue
        sort = words[2] if words[0] == "query" and len(words) > 2 else "nosort"
        j = i + 1
        while j < len(lines) and lines[j].strip() not in ("", "----"):
            j += 1
        sql = lines[i + 1:j]
        if j < len(lines) and lines[j] == "----":
            while j < len(lines) and lines[j].strip() != "":
                j += 1
        try:
            cur = conn.execute("\n".join(sql))
            rows = cur.fetchall()
            if words[0] == "query":
                out.extend(query_block(aux, sql, rows, len(cur.description), sort))
            else:
                out.extend(["statement ok"] + sql)
        except sqlite3.Error as e:
            out.extend(["statement error " + str(e)] + sql)
        i = j
    open(path, "w").write("\n".join(out))


for name in sys.argv[1:]:
    regen(name)
