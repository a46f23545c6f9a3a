"""setup.py: the package version comes from the engine's project version, and a build
without the engine sources stops with a message saying where it looked."""

import os
import subprocess
import sys

import pytest

import chorusdb

SETUP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "setup.py"))


def run_setup(*args, env=None):
    return subprocess.run([sys.executable, SETUP, *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})},
                          cwd=os.path.dirname(SETUP))


@pytest.fixture(autouse=True)
def needs_setuptools():
    pytest.importorskip("setuptools")


def test_package_version_is_the_engine_version():
    result = run_setup("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == chorusdb.version


def test_missing_engine_sources_stop_the_build_with_a_clear_message(tmp_path):
    result = run_setup("--version", env={"CHORUSDB_SOURCE_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "engine sources were not found" in result.stderr
    assert str(tmp_path) in result.stderr
