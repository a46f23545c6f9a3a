"""chorusdb.Row as row_factory: access by index, slice and case-insensitive name."""

import pytest

import chorusdb


@pytest.fixture
def rows(memory):
    memory.row_factory = chorusdb.Row
    memory.execute("CREATE TABLE p(id INTEGER PRIMARY KEY, Name TEXT, age INT)")
    memory.execute("INSERT INTO p(Name, age) VALUES ('ann', 31), ('bob', 42)")
    return memory


def test_row_reads_by_index_slice_and_name(rows):
    row = rows.execute("SELECT id, Name, age FROM p ORDER BY id").fetchone()
    assert isinstance(row, chorusdb.Row)
    assert row[0] == 1 and row[-1] == 31
    assert row[1:] == ("ann", 31)
    assert row["name"] == row["NAME"] == row["Name"] == "ann"


def test_row_keys_len_and_iteration(rows):
    row = rows.execute("SELECT id, Name AS who FROM p").fetchone()
    assert row.keys() == ["id", "who"]
    assert len(row) == 2
    assert tuple(row) == (1, "ann")
    assert dict(zip(row.keys(), row)) == {"id": 1, "who": "ann"}


def test_row_refuses_unknown_names_and_indexes(rows):
    row = rows.execute("SELECT id FROM p").fetchone()
    with pytest.raises(IndexError):
        row["missing"]
    with pytest.raises(IndexError):
        row[5]
    with pytest.raises(IndexError):
        row[1.5]


def test_rows_compare_and_hash_by_columns_and_values(rows):
    first = rows.execute("SELECT Name FROM p WHERE id = 1").fetchone()
    again = rows.execute("SELECT Name FROM p WHERE id = 1").fetchone()
    other = rows.execute("SELECT Name FROM p WHERE id = 2").fetchone()
    assert first == again and hash(first) == hash(again)
    assert first != other
    assert first != ("ann",)


def test_row_needs_a_tuple(memory):
    cursor = memory.execute("SELECT 1 AS one")
    with pytest.raises(TypeError):
        chorusdb.Row(cursor, [1])
    assert chorusdb.Row(cursor, (1,))["one"] == 1


def test_cursor_row_factory_overrides_the_connection(rows):
    cursor = rows.cursor()
    cursor.row_factory = lambda cur, values: values[0]
    assert cursor.execute("SELECT Name FROM p ORDER BY id").fetchall() == ["ann", "bob"]


def test_duplicate_names_resolve_to_the_first_column(rows):
    row = rows.execute("SELECT 1 AS x, 2 AS x").fetchone()
    assert row["x"] == 1
