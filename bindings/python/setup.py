"""bindings/python/setup.py: builds chorusdb with the ChorusDB engine compiled in.

`pip install ./bindings/python` (pip builds local directories in place) runs this file from
bindings/python. The engine's C sources live outside the package, at the repository root:
the module folders listed in CMakeLists.txt (`set(CHORUS_MODULES ...)`, so the list is
written once) are compiled here, in parallel, into the extension chorusdb._chorus together
with the thin native layer in native/. Nothing is generated into the source tree.

Environment:
  CHORUSDB_SOURCE_DIR  the repository root holding core/, mvcc/, c-api/ (default: ../..)
  CHORUSDB_LIBCHORUS   a libchorus already built (.a or .so) to link instead of compiling
                       the engine sources (packagers, engine developers)
  CHORUSDB_BUILD_JOBS  parallel compiler processes (default: the CPU count)

Libraries: Concurrency Kit (pkg-config ck) is linked only when the engine sources include
its headers; io_uring is left out (the engine falls back to pwrite/fdatasync), so the
installed module needs nothing beyond libc and, where the engine uses it, libck.
"""

import concurrent.futures
import glob
import hashlib
import os
import re
import shlex
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.environ.get("CHORUSDB_SOURCE_DIR") or os.path.join(HERE, "..", ".."))
ENGINE_CFLAGS = ["-std=c11", "-D_GNU_SOURCE", "-fvisibility=hidden", "-Wall", "-Wextra",
                 "-Wno-unused-parameter"]


def fail(message):
    """Stops the build with a message that says what to do."""
    sys.exit("chorusdb build: " + message)


def require_sources():
    """Stops the build unless ROOT holds the engine; returns its CMakeLists.txt."""
    cmake = os.path.join(ROOT, "CMakeLists.txt")
    header = os.path.join(ROOT, "c-api", "include", "chorus.h")
    if not (os.path.isfile(cmake) and os.path.isfile(header)):
        fail(f"the ChorusDB engine sources were not found under {ROOT} (looked for "
             "CMakeLists.txt and c-api/include/chorus.h). Install from a checkout of the "
             "ChorusDB repository with `pip install ./bindings/python`, or point "
             "CHORUSDB_SOURCE_DIR at one.")
    return cmake


def engine_modules():
    """The engine's module folders, read from CMakeLists.txt's CHORUS_MODULES."""
    cmake = require_sources()
    with open(cmake, encoding="utf-8") as f:
        match = re.search(r"set\(CHORUS_MODULES\s+([^)]*)\)", f.read())
    if not match:
        fail(f"{cmake} has no set(CHORUS_MODULES ...) list naming the engine's folders.")
    return match.group(1).split()


def engine_version():
    """The project version from CMakeLists.txt (chorus_version() reports the same)."""
    with open(require_sources(), encoding="utf-8") as f:
        match = re.search(r"project\(\s*chorusdb\s+VERSION\s+([0-9.]+)", f.read())
    if not match:
        fail("CMakeLists.txt has no project(chorusdb VERSION x.y.z).")
    return match.group(1)


def engine_layout():
    """(sources, include_dirs, needs_ck) of the engine."""
    modules = engine_modules()
    sources, includes = [], [os.path.join(ROOT, "c-api", "include")]
    needs_ck = False
    include_ck = re.compile(r'^\s*#\s*include\s*[<"]ck_', re.MULTILINE)
    for module in modules:
        folder = os.path.join(ROOT, module)
        if not os.path.isdir(folder):
            fail(f"engine module folder {folder} (listed in CMakeLists.txt) is missing.")
        includes.append(folder)
        sources += sorted(glob.glob(os.path.join(folder, "*.c")))
        for path in glob.glob(os.path.join(folder, "*.[ch]")):
            with open(path, encoding="utf-8", errors="replace") as f:
                needs_ck = needs_ck or bool(include_ck.search(f.read()))
    if not sources:
        fail(f"no engine sources (*.c) found in the module folders under {ROOT}.")
    return sources, includes, needs_ck


def pkg_config(package, option):
    """pkg-config's answer for package, split into arguments."""
    try:
        out = subprocess.run(["pkg-config", option, package], check=True,
                             capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        fail(f"the engine uses {package}, but `pkg-config {option} {package}` failed: "
             f"install its development package (Debian: libck-dev) and pkg-config.")
    return shlex.split(out)


class BuildEngineExt(build_ext):
    """build_ext that first compiles the engine sources, several at a time."""

    def build_extension(self, ext):
        prebuilt = os.environ.get("CHORUSDB_LIBCHORUS")
        # The native layer sees chorus.h only, never the engine's internal headers.
        ext.include_dirs.append(os.path.join(ROOT, "c-api", "include"))
        if prebuilt:
            ext.extra_objects = [os.path.abspath(prebuilt)]
        else:
            ext.extra_objects = self.compile_engine(ext)
        ext.extra_link_args.append("-Wl,--version-script=" + self.write_version_script())
        # The native layer is four files: always compiling and linking them again is
        # cheap and never links a stale engine (or one built with other flags).
        force, self.force = self.force, True
        try:
            super().build_extension(ext)
        finally:
            self.force = force

    def compile_engine(self, ext):
        sources, includes, needs_ck = engine_layout()
        cflags = list(ENGINE_CFLAGS)
        if needs_ck:
            cflags += pkg_config("ck", "--cflags")
            ext.extra_link_args += pkg_config("ck", "--libs")
        # One object folder per set of flags, so that a build with other CFLAGS (say,
        # sanitizers) never links objects of an earlier one.
        flags_key = " ".join(self.compiler.compiler_so + cflags + includes)
        output_dir = os.path.join(self.build_temp, "engine-" + hashlib.sha1(
            flags_key.encode()).hexdigest()[:10])
        objects = self.compiler.object_filenames(sources, output_dir=output_dir)
        newest_header = max(os.path.getmtime(h) for d in includes
                            for h in glob.glob(os.path.join(d, "*.h")))
        stale = [(s, o) for s, o in zip(sources, objects) if self.is_stale(s, o, newest_header)]
        for folder in sorted({os.path.dirname(o) for _, o in stale}):
            self.mkpath(folder)
        jobs = int(os.environ.get("CHORUSDB_BUILD_JOBS") or os.cpu_count() or 1)
        with concurrent.futures.ThreadPoolExecutor(max(1, jobs)) as pool:
            list(pool.map(lambda pair: self.compiler.compile(
                [pair[0]], output_dir=output_dir, include_dirs=includes,
                debug=self.debug, extra_postargs=cflags), stale))
        return objects

    def is_stale(self, source, obj, newest_header):
        """True unless obj is newer than source and every engine header."""
        if self.force or not os.path.exists(obj):
            return True
        return os.path.getmtime(obj) < max(os.path.getmtime(source), newest_header)

    def write_version_script(self):
        """A linker script exporting only the module's init function."""
        self.mkpath(self.build_temp)
        path = os.path.join(self.build_temp, "chorusdb.map")
        with open(path, "w", encoding="utf-8") as f:
            f.write("{ global: PyInit__chorus; local: *; };\n")
        return path


os.chdir(HERE)
setup(
    version=engine_version(),
    packages=["chorusdb"],
    package_dir={"": "src"},
    ext_modules=[Extension(
        "chorusdb._chorus",
        sources=sorted(glob.glob("native/*.c")),
        include_dirs=["native"],
        depends=sorted(glob.glob("native/*.h")),
        libraries=["pthread", "m"],
        extra_compile_args=ENGINE_CFLAGS,
    )],
    cmdclass={"build_ext": BuildEngineExt},
)
