"""The tests and the code they run stay inside the checkout (see repo_bounds.py)."""

from __future__ import annotations

import os
import uuid

import pytest
import repo_bounds


def test_no_source_file_reaches_beyond_the_repository() -> None:
    found = {str(p.relative_to(repo_bounds.REPO)): e for p in repo_bounds.python_files() if (e := repo_bounds.escapes_in_source(p))}
    assert not found, f"paths leaving the repository: {found}"


def test_the_static_check_sees_the_idioms_that_leave(tmp_path_factory: pytest.TempPathFactory) -> None:
    probe = repo_bounds.REPO / "tests" / f"_probe_{uuid.uuid4().hex[:8]}.py"
    probe.write_text(
        "from pathlib import Path\n"
        "SEED = Path(__file__).resolve().parents[2] / 'shared' / 'seed'\n"
        "ROOT = Path(__file__).resolve().parent.parent\n"
        "UP = Path(__file__).parent.parent.parent\n"
        "OTHER = open('../shared/x.txt')\n",
        encoding="utf-8",
    )
    try:
        found = repo_bounds.escapes_in_source(probe)
    finally:
        probe.unlink()
    assert sorted(int(line.split(":")[0]) for line in found) == [2, 4, 5], found


def test_the_guard_sees_a_read_beside_the_checkout(stays_inside_the_checkout: repo_bounds.ReadGuard) -> None:
    assert not repo_bounds.BLIND, "a checkout directly under / or in the temporary directory has no 'beside' to watch"
    target = repo_bounds.BESIDE / f"not-there-{uuid.uuid4().hex}" / "seed-post.txt"
    with pytest.raises(FileNotFoundError):
        open(target, encoding="utf-8")
    inside = repo_bounds.REPO / "README.md"
    inside.read_text(encoding="utf-8")
    assert stays_inside_the_checkout.take() == [str(target)]  # taken: this test itself passes


@pytest.mark.parametrize(
    ("relative", "beside"),
    [
        ((os.pardir, "shared", "seed", "seed-post.txt"), True),
        ((os.pardir, "other-checkout", "tests", "data.json"), True),
        ((os.pardir, ".cache", "ms-playwright", "chromium"), False),  # hidden: a home directory's caches
        (("README.md",), False),
        (("tests", os.pardir, "README.md"), False),
    ],
)
def test_what_counts_as_beside_the_checkout(relative: tuple[str, ...], beside: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo_bounds.REPO)
    assert repo_bounds.beside_checkout(os.path.join(*relative)) is beside
