"""bindings/python/tests/test_blob.py: Connection.blobopen and Blob (chorusdb/blob.py over
native/blob.c and chorus_blob_*), compared with the standard library's sqlite3: reads,
writes, seek/tell, indexing and slicing, the context manager, a row changed under the
blob, read-only blobs, open errors, and closed blobs and connections.
"""

import os
import sqlite3

import pytest

import chorusdb

DATA = b"this blob data string is exactly fifty bytes long!"
SCHEMA = ("CREATE TABLE t(b BLOB, s TEXT, i INTEGER, u UNIQUE);"
          "INSERT INTO t VALUES (x'{}', 'some text', 7, 1);"
          "INSERT INTO t VALUES (zeroblob(4), 'ab', 8, 2);"
          "CREATE VIEW v AS SELECT * FROM t;").format(DATA.hex())


def run(module, steps):
    """Runs steps(connection) on a fresh database of module; each step's result or
    (exception class name, message) in a list."""
    connection = module.connect(":memory:")
    connection.executescript(SCHEMA)
    results = []
    try:
        for step in steps(connection):
            try:
                results.append(step())
            except Exception as error:  # noqa: BLE001 (the outcome is compared)
                results.append((type(error).__name__, str(error)))
    finally:
        connection.close()
    return results


def same(steps):
    expected = run(sqlite3, steps)
    assert run(chorusdb, steps) == expected
    return expected


def test_read_seek_tell_and_len():
    def steps(cx):
        blob = cx.blobopen("t", "b", 1)
        yield lambda: len(blob)
        yield lambda: blob.read(4)
        yield blob.tell
        yield lambda: blob.seek(10)
        yield lambda: blob.read(10)
        yield lambda: blob.seek(-5, os.SEEK_END)
        yield lambda: blob.read()
        yield lambda: blob.read(100)
        yield lambda: blob.seek(5, os.SEEK_CUR)
        yield lambda: blob.seek(-1)
        yield lambda: blob.seek(0, 7)
        yield lambda: blob.seek(2**31 - 1, os.SEEK_END)
        yield blob.tell
        yield blob.close
    same(steps)


def test_write_and_see_it_in_queries():
    def steps(cx):
        blob = cx.blobopen("t", "b", 1)
        yield lambda: blob.write(b"THIS")
        yield blob.tell
        yield lambda: cx.execute("SELECT b FROM t WHERE rowid = 1").fetchone()
        yield lambda: blob.write(b"x" * 100)
        yield lambda: blob.seek(0, os.SEEK_END)
        yield lambda: blob.write(b"")
        yield lambda: blob.write(b"!")
        yield lambda: blob.write("text")
        yield blob.close
        text = cx.blobopen("t", "s", 1)
        yield lambda: text.write(b"SOME")
        yield lambda: cx.execute("SELECT typeof(s), s FROM t WHERE rowid = 1").fetchone()
        yield text.close
    same(steps)


def test_indexing_and_slicing():
    def steps(cx):
        blob = cx.blobopen("t", "b", 1)
        yield lambda: blob[5]
        yield lambda: blob[-1]
        yield lambda: blob[5:14]
        yield lambda: blob[0:10:2]
        yield lambda: blob[50]
        yield lambda: blob[2**70]
        yield lambda: blob[1.5]
        yield lambda: blob.__setitem__(0, ord("T"))
        yield lambda: blob.__setitem__(-1, 255)
        yield lambda: blob.__setitem__(0, 256)
        yield lambda: blob.__setitem__(0, b"x")
        yield lambda: blob.__setitem__(99, 1)
        yield lambda: blob.__setitem__(slice(0, 4), b"abcd")
        yield lambda: blob.__setitem__(slice(0, 10, 2), bytearray(b"12345"))
        yield lambda: blob.__setitem__(slice(0, 4), b"ab")
        yield lambda: blob.__setitem__(slice(0, 4, 0), b"abcd")
        yield lambda: blob.__setitem__(slice(0, 5), memoryview(b"abcdefghij")[::2])
        yield lambda: blob.__delitem__(0)
        yield lambda: blob.__delitem__(slice(0, 2))
        yield lambda: blob[:]
        yield blob.close
    same(steps)


def test_row_change_aborts():
    def steps(cx):
        blob = cx.blobopen("t", "b", 1)
        yield lambda: cx.execute("UPDATE t SET i = 70 WHERE rowid = 2").rowcount
        yield lambda: blob.read(3)
        yield lambda: cx.execute("UPDATE t SET i = 70 WHERE rowid = 1").rowcount
        yield lambda: blob.read(3)
        yield lambda: len(blob)
        yield lambda: blob.write(b"x")
        yield blob.close
        other = cx.blobopen("t", "b", 2)
        yield lambda: cx.execute("DELETE FROM t WHERE rowid = 2").rowcount
        yield lambda: other[0]
        yield other.close
    results = same(steps)
    assert results[3] == ("OperationalError", "query aborted")


def test_readonly_and_open_errors():
    def steps(cx):
        ro = cx.blobopen("t", "b", 1, readonly=True)
        yield lambda: ro.write(b"x")
        yield lambda: ro.read(4)
        yield ro.close
        for args, kwargs in [(("t", "b", 9), {}), (("nope", "b", 1), {}),
                             (("t", "nope", 1), {}), (("t", "b", 1), {"name": "aux"}),
                             (("v", "b", 1), {}), (("t", "i", 1), {"readonly": True}),
                             (("t", "u", 1), {}), ((1, "b", 1), {})]:
            yield lambda args=args, kwargs=kwargs: cx.blobopen(*args, **kwargs)
    same(steps)


def test_context_manager_and_closed_blob():
    def steps(cx):
        with cx.blobopen("t", "b", 2) as blob:
            blob.write(b"\x01\x02\x03\x04")
        yield lambda: cx.execute("SELECT hex(b) FROM t WHERE rowid = 2").fetchone()
        yield blob.read
        yield lambda: len(blob)
        yield lambda: blob[0]
        yield blob.close
        yield lambda: blob.__enter__()
    same(steps)


def test_closed_connection(tmp_path):
    def outcome(module):
        cx = module.connect(str(tmp_path / f"{module.__name__}.db"))
        cx.executescript(SCHEMA)
        blob = cx.blobopen("t", "b", 1)
        cx.close()
        try:
            blob.read()
        except Exception as error:  # noqa: BLE001
            return type(error).__name__, str(error)
    assert outcome(chorusdb) == outcome(sqlite3)


def test_blob_is_not_a_sequence_nor_made_directly(memory):
    memory.execute("CREATE TABLE t(b)")
    memory.execute("INSERT INTO t VALUES (x'0102')")
    with memory.blobopen("t", "b", 1) as blob:
        with pytest.raises(TypeError, match="not iterable"):
            b"a" in blob
        with pytest.raises(TypeError, match="unsupported operand"):
            blob + blob
    with pytest.raises(TypeError):
        chorusdb.Blob()
