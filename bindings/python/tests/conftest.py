"""bindings/python/tests/conftest.py: fixtures shared by the chorusdb tests.

Every test gets its own temporary directory (pytest's tmp_path); `conn` is a connection
to a fresh database file there, closed after the test; `memory` one to ":memory:".
The tests import the installed chorusdb (pip install ./bindings/python), never the
source folder.
"""

import pytest

import chorusdb


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "test.db")


@pytest.fixture
def conn(db_path):
    connection = chorusdb.connect(db_path)
    yield connection
    connection.close()


@pytest.fixture
def memory():
    connection = chorusdb.connect(":memory:")
    yield connection
    connection.close()


@pytest.fixture
def table(conn):
    """conn with table t(id INTEGER PRIMARY KEY, name TEXT, score REAL), committed."""
    conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL)")
    conn.commit()
    return conn
