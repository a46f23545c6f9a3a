#!/usr/bin/env bash
# bindings/python/test.sh: what CI runs for the Python binding. Installs chorusdb with
# `pip install ./bindings/python` into a fresh virtual environment (build-python-venv/ at
# the repository root, git-ignored) and runs the pytest suite in bindings/python/tests.
# Extra arguments go to pytest (e.g. -k threads).
#   CHORUSDB_SKIP_INSTALL_TEST=1  leaves out the slow test that installs into yet another
#                                 fresh venv
#   CHORUSDB_SANITIZE=address     builds engine and extension with AddressSanitizer + UBSan
#                                 (venv build-python-asan-venv/) and runs the suite under
#                                 them (leak checking off: CPython keeps memory at exit)
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=build-python-venv
preload=""
if [ "${CHORUSDB_SANITIZE:-}" = address ]; then
    venv=build-python-asan-venv
    export CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
    export LDFLAGS="-fsanitize=address,undefined"
    export CHORUSDB_SKIP_INSTALL_TEST=1
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    preload="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
fi

python3 -m venv --clear "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check pytest ./bindings/python
LD_PRELOAD="$preload" "$venv/bin/python" -m pytest -q -p no:cacheprovider bindings/python/tests "$@"
