"""Keeping the tests inside the checkout: nothing they run may read what lies beside it.

A clone on a user's machine has nothing next to it, so a test that reads ``../shared/…``
passes in the development checkout and fails everywhere else. Two checks keep that from
coming back:

* ``ReadGuard``: a Python audit hook (``sys.addaudithook``) installed by ``conftest.py``
  sees every file and directory this process opens or lists; ``beside_checkout`` says
  whether a path lies beside the checkout (under its parent directory, not inside it). The
  autouse fixture in ``conftest.py`` fails the test during which such a read happened
  (reads at collection time are reported with the first test). Child processes (crawls,
  servers) are not watched; the static check below covers their code.
* ``escapes_in_source``: scans the repository's Python files for the ways code reaches
  beyond the checkout — ``Path(__file__)…parents[N]`` / ``.parent`` chains climbing above
  the repository root, and string literals starting with ``../``.

What is *not* "beside the checkout": hidden entries of the parent directory (a checkout in
the home directory sits next to ``~/.cache`` and ``~/.local``, where Playwright's browsers
and the node's data live), the Python installation, and the temporary directory, when they
lie beside it. A checkout directly under ``/`` or directly in the temporary directory has no
"beside" to tell apart (``BLIND``): the guard then watches nothing.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BESIDE = REPO.parent
WATCHED_EVENTS = frozenset({"open", "os.listdir", "os.scandir"})
SOURCE_DIRS = ("shrinksearch", "crawlers", "flows", "tests", "bench", "scripts")
_LEAVING = re.compile(r"\.\./[^\s]")  # "../shared/seed", not the bare "../" of a comment


_BESIDE_PREFIX = str(BESIDE).rstrip(os.sep) + os.sep
_REPO_PREFIX = str(REPO) + os.sep


def _not_beside() -> tuple[str, ...]:
    """Places under the parent directory that are still not 'beside the checkout': Python's
    installation and the temporary directory, when they lie under it (a place that holds the
    parent itself, as /tmp holds /tmp/clone/, says nothing about what is beside the clone)."""
    places = {os.path.realpath(p) + os.sep for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, tempfile.gettempdir())}
    return tuple(p for p in places if p.startswith(_BESIDE_PREFIX))


_EXEMPT = _not_beside()
BLIND = BESIDE == Path(BESIDE.anchor) or _BESIDE_PREFIX in _EXEMPT
"""A checkout directly under / or directly in the temporary directory: everything beside it
is the system's or temporary, so the guard watches nothing there (the static check still runs)."""


def beside_checkout(path: str) -> bool:
    """Whether ``path`` (absolute, or relative to the working directory) lies beside the
    checkout: under its parent directory, outside it, not hidden, not Python's, not temp."""
    if BLIND:
        return False
    full = os.path.abspath(path)
    if not full.startswith(_BESIDE_PREFIX) or full == str(REPO) or full.startswith(_REPO_PREFIX):
        return False
    if full.startswith(_EXEMPT):
        return False
    first = full[len(_BESIDE_PREFIX):].split(os.sep, 1)[0]
    return not first.startswith(".")


class ReadGuard:
    """Collects the paths beside the checkout this process opens or lists."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, event: str, args: tuple) -> None:
        if event not in WATCHED_EVENTS or not args:
            return
        try:  # an audit hook must never raise: that would fail the open itself
            path = args[0]
            if isinstance(path, int) or path is None:
                return
            text = os.fsdecode(path)
            if beside_checkout(text):
                self.seen.append(os.path.abspath(text))
        except Exception:  # noqa: BLE001 - see above
            return

    def take(self) -> list[str]:
        """The paths seen since the last call (each once), forgetting them."""
        seen, self.seen = list(dict.fromkeys(self.seen)), []
        return seen


def install() -> ReadGuard:
    """A guard, hooked into this process for good (audit hooks cannot be removed)."""
    guard = ReadGuard()
    sys.addaudithook(guard)
    return guard


# --- the static check -----------------------------------------------------------------------


NOT_A_PATH = "# repo-bounds: a link, not a path"
"""A comment that marks a line's "../" string as text under test (a converted link), not a
file the code reads."""


def python_files() -> Iterator[Path]:
    for folder in SOURCE_DIRS:
        yield from sorted((REPO / folder).rglob("*.py"))


def escapes_in_source(path: Path) -> list[str]:
    """'line: why' for each place in ``path`` that climbs above the repository root."""
    depth = len(path.resolve().relative_to(REPO).parts)  # parents[depth - 1] is the repo root
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source, filename=str(path))
    found = []
    for node in ast.walk(tree):
        climb = _climb_from_file(node)
        if climb is not None and climb > depth:
            found.append(f"{node.lineno}: climbs {climb} levels from a file {depth} below the repository root")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _LEAVING.match(node.value) \
                and NOT_A_PATH not in lines[node.lineno - 1]:
            found.append(f"{node.lineno}: path {node.value!r} leaves the working directory")
    return found


def _climb_from_file(node: ast.AST) -> int | None:
    """How many directories ``Path(__file__)[.resolve()]…`` climbs (``.parent`` = 1 level,
    ``.parents[N]`` = N + 1), counting from the file itself; None for anything else."""
    levels = 0
    while True:
        if isinstance(node, ast.Attribute) and node.attr == "parent":
            levels, node = levels + 1, node.value
        elif (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute)
              and node.value.attr == "parents" and isinstance(node.slice, ast.Constant)
              and isinstance(node.slice.value, int)):
            levels, node = levels + node.slice.value + 1, node.value.value
        else:
            break
    if levels == 0:
        return None
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("resolve", "absolute"):
        node = node.func.value
    if isinstance(node, ast.Call) and _names_file(node):
        return levels
    return None


def _names_file(call: ast.Call) -> bool:
    """``Path(__file__)`` (or ``pathlib.Path(__file__)``)."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return name == "Path" and len(call.args) == 1 and isinstance(call.args[0], ast.Name) and call.args[0].id == "__file__"
