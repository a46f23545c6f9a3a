"""Cursor: execute, the fetch methods, iteration, description, rowcount, lastrowid,
executemany, executescript and closing."""

import pytest

import chorusdb


def fill(conn, n):
    conn.executemany("INSERT INTO t(name, score) VALUES (?, ?)",
                     [(f"n{i}", i / 2) for i in range(n)])
    conn.commit()


def test_fetchone_returns_rows_then_none(table):
    fill(table, 2)
    cursor = table.execute("SELECT id, name FROM t ORDER BY id")
    assert cursor.fetchone() == (1, "n0")
    assert cursor.fetchone() == (2, "n1")
    assert cursor.fetchone() is None
    assert cursor.fetchone() is None


def test_fetchmany_honours_size_and_arraysize(table):
    fill(table, 5)
    cursor = table.execute("SELECT id FROM t ORDER BY id")
    assert cursor.arraysize == 1
    assert cursor.fetchmany() == [(1,)]
    assert cursor.fetchmany(2) == [(2,), (3,)]
    cursor.arraysize = 10
    assert cursor.fetchmany() == [(4,), (5,)]
    assert cursor.fetchmany() == []


def test_fetchall_and_iteration_read_every_row(table):
    fill(table, 4)
    assert len(table.execute("SELECT * FROM t").fetchall()) == 4
    assert [row[0] for row in table.execute("SELECT id FROM t ORDER BY id")] == [1, 2, 3, 4]


def test_fetch_before_execute_gives_nothing(memory):
    cursor = memory.cursor()
    assert cursor.fetchone() is None
    assert cursor.fetchall() == []


def test_description_names_the_result_columns(table):
    cursor = table.execute("SELECT id, name AS who FROM t")
    assert [column[0] for column in cursor.description] == ["id", "who"]
    assert all(len(column) == 7 and column[1:] == (None,) * 6
               for column in cursor.description)


def test_description_is_none_for_statements_without_rows(table):
    cursor = table.execute("INSERT INTO t(name) VALUES ('x')")
    assert cursor.description is None


def test_rowcount_counts_dml_changes_and_is_minus_one_for_select(table):
    fill(table, 3)
    assert table.execute("UPDATE t SET score = 0").rowcount == 3
    assert table.execute("DELETE FROM t WHERE id = 1").rowcount == 1
    assert table.execute("SELECT * FROM t").rowcount == -1
    assert table.execute("CREATE TABLE u(x)").rowcount == -1


def test_executemany_sums_rowcount(table):
    cursor = table.executemany("INSERT INTO t(name) VALUES (?)", [("a",), ("b",), ("c",)])
    assert cursor.rowcount == 3


def test_executemany_accepts_an_iterator(table):
    table.executemany("INSERT INTO t(name) VALUES (?)", ((str(i),) for i in range(10)))
    assert table.execute("SELECT count(*) FROM t").fetchone() == (10,)


def test_executemany_refuses_queries(table):
    with pytest.raises(chorusdb.ProgrammingError, match="DML"):
        table.executemany("SELECT * FROM t", [()])


def test_lastrowid_follows_inserts(table):
    cursor = table.cursor()
    assert cursor.lastrowid is None
    cursor.execute("INSERT INTO t(name) VALUES ('a')")
    assert cursor.lastrowid == 1
    cursor.execute("INSERT INTO t(id, name) VALUES (41, 'b')")
    assert cursor.lastrowid == 41


def test_executescript_runs_every_statement(memory):
    cursor = memory.executescript("""
        CREATE TABLE a(x);
        INSERT INTO a VALUES (1);
        INSERT INTO a VALUES (2);  -- a comment
    """)
    assert isinstance(cursor, chorusdb.Cursor)
    assert memory.execute("SELECT sum(x) FROM a").fetchone() == (3,)


def test_executescript_stops_at_the_first_error(memory):
    with pytest.raises(chorusdb.OperationalError):
        memory.executescript("CREATE TABLE a(x); INSERT INTO nope VALUES (1); CREATE TABLE b(y);")
    assert memory.execute("SELECT count(*) FROM sqlite_master WHERE name = 'b'").fetchone() == (0,)


def test_executescript_needs_a_string(memory):
    with pytest.raises(TypeError):
        memory.executescript(b"SELECT 1")


def test_execute_with_only_a_comment_does_nothing(memory):
    cursor = memory.execute("-- nothing here")
    assert cursor.description is None
    assert cursor.fetchone() is None


def test_execute_refuses_two_statements(memory):
    with pytest.raises(chorusdb.ProgrammingError, match="one statement at a time"):
        memory.execute("SELECT 1; SELECT 2")


def test_execute_accepts_a_trailing_semicolon_and_comment(memory):
    assert memory.execute("SELECT 1; -- done").fetchone() == (1,)


def test_execute_needs_a_string(memory):
    with pytest.raises(TypeError):
        memory.execute(b"SELECT 1")


def test_sql_with_a_nul_character_is_refused(memory):
    with pytest.raises(chorusdb.ProgrammingError, match="null character"):
        memory.execute("SELECT 1\0")


def test_closed_cursor_refuses_work_but_closes_twice(memory):
    cursor = memory.execute("SELECT 1")
    cursor.close()
    cursor.close()
    with pytest.raises(chorusdb.ProgrammingError, match="closed cursor"):
        cursor.fetchone()
    with pytest.raises(chorusdb.ProgrammingError, match="closed cursor"):
        cursor.execute("SELECT 1")


def test_two_cursors_on_one_statement_text_read_independently(table):
    fill(table, 3)
    sql = "SELECT id FROM t ORDER BY id"
    first = table.execute(sql)
    assert first.fetchone() == (1,)
    second = table.execute(sql)
    assert second.fetchall() == [(1,), (2,), (3,)]
    assert first.fetchall() == [(2,), (3,)]


def test_reexecuting_a_cursor_drops_the_old_rows(table):
    fill(table, 3)
    cursor = table.execute("SELECT id FROM t ORDER BY id")
    cursor.fetchone()
    cursor.execute("SELECT name FROM t WHERE id = 3")
    assert cursor.fetchall() == [("n2",)]


def test_statement_cache_survives_many_distinct_statements(memory):
    conn = chorusdb.connect(":memory:", cached_statements=2)
    for i in range(10):
        assert conn.execute(f"SELECT {i}").fetchone() == (i,)
    conn.close()


def test_error_in_a_statement_leaves_the_cursor_usable(table):
    cursor = table.cursor()
    with pytest.raises(chorusdb.OperationalError):
        cursor.execute("SELECT * FROM missing")
    assert cursor.execute("SELECT 5").fetchone() == (5,)


def test_cursor_connection_attribute_and_noop_size_methods(memory):
    cursor = memory.cursor()
    assert cursor.connection is memory
    cursor.setinputsizes([1])
    cursor.setoutputsize(10)


def test_cursor_factory_must_make_a_cursor(memory):
    class MyCursor(chorusdb.Cursor):
        pass

    assert isinstance(memory.cursor(MyCursor), MyCursor)
    with pytest.raises(TypeError):
        memory.cursor(lambda conn: object())
