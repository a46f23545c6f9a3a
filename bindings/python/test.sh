#!/usr/bin/env bash
# bindings/python/test.sh: what CI runs for the Python binding. Installs chorusdb with
# `pip install ./bindings/python` into a fresh virtual environment (build-python-venv/ at
# the repository root, git-ignored) and runs the pytest suite in bindings/python/tests.
# Extra arguments go to pytest (e.g. -k threads). CHORUSDB_SKIP_INSTALL_TEST=1 leaves out
# the slow test that installs into yet another fresh venv.
set -euo pipefail
cd "$(dirname "$0")/../.."

python3 -m venv --clear build-python-venv
build-python-venv/bin/pip install --quiet --disable-pip-version-check pytest ./bindings/python
build-python-venv/bin/python -m pytest -q -p no:cacheprovider bindings/python/tests "$@"
