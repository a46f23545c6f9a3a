"""Connection.iterdump(): SQL text that rebuilds the database."""

import chorusdb
from chorusdb.dump import quote


def test_dump_of_an_empty_database_is_an_empty_transaction(memory):
    assert list(memory.iterdump()) == ["BEGIN TRANSACTION;", "COMMIT;"]


def test_dump_holds_schema_then_rows_then_indexes(memory):
    memory.executescript("""
        CREATE TABLE b(x);
        CREATE TABLE a(id INTEGER PRIMARY KEY, v);
        INSERT INTO a(v) VALUES ('it''s'), (NULL), (1.5), (X'00FF');
        INSERT INTO b VALUES (7);
        CREATE INDEX a_v ON a(v);
    """)
    lines = list(memory.iterdump())
    assert lines[0] == "BEGIN TRANSACTION;" and lines[-1] == "COMMIT;"
    assert lines[1] == "CREATE TABLE a(id INTEGER PRIMARY KEY, v);"
    assert sorted(lines[2:6]) == [   # rows in scan order, which an index may choose
        """INSERT INTO "a" VALUES(1,'it''s');""",
        'INSERT INTO "a" VALUES(2,NULL);',
        'INSERT INTO "a" VALUES(3,1.5);',
        """INSERT INTO "a" VALUES(4,X'00FF');""",
    ]
    assert lines[6] == "CREATE TABLE b(x);"
    assert lines[7] == 'INSERT INTO "b" VALUES(7);'
    assert lines[8] == "CREATE INDEX a_v ON a(v);"


def test_dump_restores_into_a_fresh_database(memory):
    memory.executescript("""
        CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB);
        INSERT INTO t VALUES (1, 'ann', 0.1, X'01'), (2, 'b''ob', -3.25, NULL);
    """)
    copy = chorusdb.connect(":memory:")
    copy.executescript("\n".join(memory.iterdump()))
    query = "SELECT * FROM t ORDER BY id"
    assert copy.execute(query).fetchall() == memory.execute(query).fetchall()
    copy.close()


def test_dump_is_unaffected_by_factories(memory):
    memory.execute("CREATE TABLE t(s)")
    memory.execute("INSERT INTO t VALUES ('x')")
    memory.row_factory = chorusdb.Row
    memory.text_factory = bytes
    assert """INSERT INTO "t" VALUES('x');""" in list(memory.iterdump())


def test_quote_renders_every_value_kind():
    assert quote(None) == "NULL"
    assert quote(-5) == "-5"
    assert quote(0.1) == "0.1"
    assert quote(float("inf")) == "9.0e+999"
    assert quote(float("-inf")) == "-9.0e+999"
    assert quote("a'b") == "'a''b'"
    assert quote(b"\x0a\xbc") == "X'0ABC'"
