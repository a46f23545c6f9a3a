"""chorusdb/sqltext.py: complete_statement() and the statement scanning helpers."""

import pytest

import chorusdb
from chorusdb import sqltext


@pytest.mark.parametrize("sql", [
    "SELECT 1;",
    "SELECT 1;  -- trailing comment",
    "SELECT 'a;b';",
    "CREATE TABLE t(x); INSERT INTO t VALUES (1);",
    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET x = 1; END;",
    "CREATE TEMP TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END;",
])
def test_complete_statements(sql):
    assert chorusdb.complete_statement(sql)


@pytest.mark.parametrize("sql", [
    "", "SELECT 1", "SELECT 'a;", "SELECT 1 /* ; */", "SELECT 1; SELECT 2",
    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET x = 1;",
    'SELECT "unterminated;',
])
def test_incomplete_statements(sql):
    assert not chorusdb.complete_statement(sql)


def test_complete_statement_needs_a_string():
    with pytest.raises(TypeError):
        chorusdb.complete_statement(b"SELECT 1;")


@pytest.mark.parametrize("sql,expected", [
    ("insert into t values (1)", True),
    ("  -- note\n/* x */ UPDATE t SET a = 1", True),
    ("REPLACE INTO t VALUES (1)", True),
    ("delete from t", True),
    ("SELECT 1", False),
    ("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", False),
    ("", False),
])
def test_is_dml_reads_the_first_keyword(sql, expected):
    assert sqltext.is_dml(sql) is expected


@pytest.mark.parametrize("tail,blank", [
    ("", True), ("  ;  ", True), ("-- c\n", True), ("/* c */;", True),
    ("SELECT 2", False), ("; x", False),
])
def test_is_blank_ignores_comments_and_semicolons(tail, blank):
    assert sqltext.is_blank(tail) is blank
