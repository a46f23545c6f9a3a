"""`pip install ./bindings/python` into a fresh virtual environment builds the package
with the engine compiled in, and `import chorusdb` then needs nothing else: the module
links no libchorus, no SQLite and no io_uring.

Slow (it compiles the engine): set CHORUSDB_SKIP_INSTALL_TEST=1 to skip it. pip fetches
setuptools for the isolated build; without network access the test falls back to the
venv's own setuptools (--no-build-isolation) or skips.
"""

import os
import subprocess
import venv

import pytest

PACKAGE = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))

pytestmark = pytest.mark.skipif(os.environ.get("CHORUSDB_SKIP_INSTALL_TEST") == "1",
                                reason="CHORUSDB_SKIP_INSTALL_TEST=1")

SMOKE = """
import chorusdb, sys
conn = chorusdb.connect(sys.argv[1])
conn.execute("CREATE TABLE t(x)")
conn.execute("INSERT INTO t VALUES (?)", ("installed",))
conn.commit()
print(conn.execute("SELECT x FROM t").fetchone()[0], chorusdb.version, chorusdb._chorus.__file__)
"""


def pip_install(python, *extra):
    return subprocess.run([python, "-m", "pip", "install", "--disable-pip-version-check",
                           *extra, PACKAGE], capture_output=True, text=True, timeout=1200)


def test_pip_install_into_a_fresh_venv_then_import(tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = str(env_dir / "bin" / "python")
    result = pip_install(python)
    if result.returncode != 0 and "setuptools" in result.stdout + result.stderr and \
            "satisf" in result.stdout + result.stderr:
        has_setuptools = subprocess.run([python, "-c", "import setuptools"]).returncode == 0
        if not has_setuptools:
            pytest.skip("no network for pip to fetch setuptools, and none in the venv")
        result = pip_install(python, "--no-build-isolation")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]

    smoke = subprocess.run([python, "-c", SMOKE, str(tmp_path / "smoke.db")],
                           cwd=str(tmp_path), capture_output=True, text=True, timeout=120)
    assert smoke.returncode == 0, smoke.stderr
    word, version, module_file = smoke.stdout.split()
    assert word == "installed"
    assert module_file.startswith(str(env_dir))

    linked = subprocess.run(["ldd", module_file], capture_output=True, text=True).stdout
    for library in ("libchorus", "libsqlite3", "liburing", "libpython"):
        assert library not in linked, linked
