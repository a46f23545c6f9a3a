"""Parameters: qmark and numbered sequences, named mappings, and the misuse errors."""

import collections

import pytest

import chorusdb


def test_qmark_parameters_bind_in_order(memory):
    assert memory.execute("SELECT ?, ?", (1, "two")).fetchone() == (1, "two")
    assert memory.execute("SELECT ?, ?", [3, 4]).fetchone() == (3, 4)


def test_numbered_parameters_may_repeat(memory):
    assert memory.execute("SELECT ?1, ?2, ?1", ("a", "b")).fetchone() == ("a", "b", "a")


@pytest.mark.parametrize("sql", ["SELECT :x, :y", "SELECT @x, @y", "SELECT $x, $y"])
def test_named_parameters_bind_from_a_mapping(memory, sql):
    assert memory.execute(sql, {"x": 1, "y": 2}).fetchone() == (1, 2)


def test_a_mapping_may_hold_extra_keys(memory):
    assert memory.execute("SELECT :a", {"a": 1, "unused": 2}).fetchone() == (1,)


def test_mapping_subclasses_and_custom_mappings_work(memory):
    class Defaulting(dict):
        def __missing__(self, key):
            return key.upper()

    assert memory.execute("SELECT :name", Defaulting()).fetchone() == ("NAME",)
    ordered = collections.OrderedDict(v=9)
    assert memory.execute("SELECT :v", ordered).fetchone() == (9,)


def test_named_parameters_may_also_bind_by_position(memory):
    assert memory.execute("SELECT :a, :b", (1, 2)).fetchone() == (1, 2)


def test_a_missing_named_value_is_a_programming_error(memory):
    with pytest.raises(chorusdb.ProgrammingError, match=":b"):
        memory.execute("SELECT :a, :b", {"a": 1})


def test_a_mapping_for_qmark_parameters_is_a_programming_error(memory):
    with pytest.raises(chorusdb.ProgrammingError, match="has no name"):
        memory.execute("SELECT ?", {"a": 1})


@pytest.mark.parametrize("parameters", [(), (1, 2, 3)])
def test_a_wrong_number_of_values_is_a_programming_error(memory, parameters):
    with pytest.raises(chorusdb.ProgrammingError, match="Incorrect number of bindings"):
        memory.execute("SELECT ?, ?", parameters)


def test_parameters_of_an_unsupported_type_are_refused(memory):
    with pytest.raises(chorusdb.ProgrammingError, match="unsupported type"):
        memory.execute("SELECT ?", 42)


def test_values_are_rebound_on_each_execute(memory):
    cursor = memory.cursor()
    assert [cursor.execute("SELECT ?", (i,)).fetchone()[0] for i in range(5)] == list(range(5))


def test_executemany_checks_each_parameter_set(memory):
    memory.execute("CREATE TABLE t(a, b)")
    with pytest.raises(chorusdb.ProgrammingError, match="Incorrect number"):
        memory.executemany("INSERT INTO t VALUES (?, ?)", [(1, 2), (3,)])


def test_executemany_with_named_parameters(memory):
    memory.execute("CREATE TABLE t(a, b)")
    memory.executemany("INSERT INTO t VALUES (:a, :b)", [{"a": 1, "b": 2}, {"a": 3, "b": 4}])
    assert memory.execute("SELECT sum(a), sum(b) FROM t").fetchone() == (4, 6)
