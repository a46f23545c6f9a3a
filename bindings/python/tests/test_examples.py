"""The programs in examples/python run and report success."""

import os
import subprocess
import sys

import pytest

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "python")


def run_example(name, *args, cwd):
    return subprocess.run([sys.executable, os.path.join(EXAMPLES, name), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_basic_example_creates_and_queries(tmp_path):
    result = run_example("basic.py", str(tmp_path / "fruit.db"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "apple" in result.stdout and "3 rows" in result.stdout


def test_concurrent_writers_example_keeps_the_total(tmp_path):
    result = run_example("concurrent_writers.py", str(tmp_path / "bank.db"), "4", "50",
                         cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "total balance 1000" in result.stdout


if not os.path.isdir(EXAMPLES):
    pytest.skip("examples/python is not in this checkout", allow_module_level=True)
