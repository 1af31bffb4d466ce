"""Check the wget-mirror exporter against the real GNU Wget (a developer's check, not a test).

    .venv/bin/python scripts/check_wget_mirror.py

Serves the sample network on 127.0.0.1, saves every blog with the real ``wget`` (the options
of ``shrinksearch.samples.wget_mirror.PLAN`` that wget has: Linux or Windows names,
``--level``, ``--reject-regex``) and with ``export_mirror`` under the same host, and compares
the two copies file by file. Blogs saved with names wget does not write (``%3F``, ``-``) are
compared with wget's Linux names. Exit status 1 when the copies differ. Needs ``wget`` (1.21
was the reference: later versions quote a space in a converted link as ``%20``, not ``&#32;``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shrinksearch.samples.network import load_network  # noqa: E402
from shrinksearch.samples.server import running_server  # noqa: E402
from shrinksearch.samples.wget_mirror import PLAN, WgetRun, export_mirror  # noqa: E402


def wget_command(run: WgetRun, url: str) -> list[str]:
    reject = "/calendar/" + (f"|{run.reject_regex}" if run.reject_regex else "")
    cmd = ["wget", "-q", "--mirror", "--convert-links", "--adjust-extension", "-nH", "--no-parent", "--reject-regex", reject]
    cmd += [f"--level={run.level}"] if run.level is not None else []
    cmd += ["--restrict-file-names=windows"] if run.naming == "windows" else []
    return cmd + [url]


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file() and p.name != "robots.txt"}


def main() -> int:
    if shutil.which("wget") is None:
        print("wget is not installed")
        return 2
    network = load_network()
    plan = {slug: PLAN.get(slug, WgetRun()) for slug in network.blogs}
    plan = {slug: run if run.naming in ("unix", "windows") else WgetRun(level=run.level, reject_regex=run.reject_regex)
            for slug, run in plan.items()}
    with tempfile.TemporaryDirectory() as tmp, running_server(network=network) as base:
        ours, theirs = Path(tmp) / "export", Path(tmp) / "wget"
        export_mirror(ours, network, plan, origin=base)
        theirs.mkdir()
        for slug, run in plan.items():
            subprocess.run(wget_command(run, f"{base}/{slug}/"), cwd=theirs, check=False)
        a, b = files(ours), files(theirs)
    differ = sorted(name for name in a.keys() & b.keys() if a[name] != b[name])
    print(f"export_mirror {len(a)} files, wget {len(b)} files; only export_mirror: {sorted(a.keys() - b.keys())[:10]}; "
          f"only wget: {sorted(b.keys() - a.keys())[:10]}; same name, other bytes: {differ[:10]}")
    return 0 if a == b else 1


if __name__ == "__main__":
    sys.exit(main())
