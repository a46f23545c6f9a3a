"""bindings/python/run_cpython_suite.py: runs the CPython interpreter's own sqlite3 test
suite (test.test_sqlite3, installed with CPython, never copied here) against chorusdb
by making `sqlite3` name chorusdb, and prints the counts and the failing tests by
class. A measure of compatibility, not a pass/fail gate: some tests need what the
engine lacks (expanded SQL in traces, virtual tables, ...; see README.md).

    python bindings/python/run_cpython_suite.py [-v]   # chorusdb installed in this Python

Tests that spawn a second interpreter run there with the real sqlite3.
"""

import collections
import io
import sys
import unittest

import chorusdb

sys.modules["sqlite3"] = chorusdb
sys.modules["sqlite3.dbapi2"] = chorusdb.dbapi2


def main():
    suite = unittest.TestLoader().loadTestsFromName("test.test_sqlite3")
    verbose = "-v" in sys.argv[1:]
    stream = sys.stderr if verbose else io.StringIO()
    result = unittest.TextTestRunner(stream=stream, verbosity=2 if verbose else 0).run(suite)
    by_class = collections.Counter(
        type(test).__name__ for test, _ in result.failures + result.errors)
    for name, count in by_class.most_common():
        print(f"{count:4d}  {name}")
    print(f"run {result.testsRun} failures {len(result.failures)} errors "
          f"{len(result.errors)} skipped {len(result.skipped)}")


if __name__ == "__main__":
    main()
