"""Fetch, cache, verify and unpack the Elasticsearch integration-test distribution.

The artifact is `org.elasticsearch.distribution.integ-test-zip:elasticsearch:<v>:zip` on
Maven Central: the real server and its launcher, without a bundled JDK and with only a few
modules. It is fetched once per version into the cache directory — with `mvn` when
installed (it reuses ~/.m2), otherwise over HTTPS from the standard repository layout,
verified against the checksum published beside it — and unpacked once per node home.
"""

from __future__ import annotations

import hashlib
import shutil
import stat
import subprocess
import tempfile
import zipfile
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

from shrinksearch.exceptions import DownloadError, NodeError

GROUP_PATH = "org/elasticsearch/distribution/integ-test-zip/elasticsearch"
COORDINATES = "org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip"
# Strongest first; Maven Central always publishes .sha1, newer uploads also .sha512.
CHECKSUMS = ("sha512", "sha256", "sha1")
DOWNLOAD_ROOM = 200 * 2**20  # the 9.x zip is ~130 MB
UNPACK_MARGIN = 100 * 2**20


def zip_name(version: str) -> str:
    return f"elasticsearch-{version}.zip"


def artifact_url(maven_url: str, version: str) -> str:
    return f"{maven_url.rstrip('/')}/{GROUP_PATH}/{version}/{zip_name(version)}"


def fetch(version: str, cache_dir: Path, maven_url: str, console: Console | None = None) -> Path:
    """The cached distribution zip, fetched first if absent."""
    cached = cache_dir / zip_name(version)
    if cached.is_file():
        return cached
    cache_dir.mkdir(parents=True, exist_ok=True)
    ensure_free_space(cache_dir, DOWNLOAD_ROOM, "download Elasticsearch", "SHRINKSEARCH_CACHE_DIR")
    mvn = shutil.which("mvn")
    if mvn is not None and _fetch_with_maven(mvn, version, cache_dir, console):
        return cached
    # No Maven, or Maven could not resolve it (offline settings, mirror): plain HTTPS.
    return download(version, cache_dir, maven_url, console)


def download(version: str, cache_dir: Path, maven_url: str, console: Console | None = None) -> Path:
    """Download the zip over HTTPS into cache_dir and verify it; only a verified file is kept."""
    url = artifact_url(maven_url, version)
    target = cache_dir / zip_name(version)
    cache_dir.mkdir(parents=True, exist_ok=True)
    try:
        with httpx.Client(follow_redirects=True, timeout=httpx.Timeout(30.0, read=120.0)) as client:
            algorithm, expected = _published_checksum(client, url)
            partial = target.with_suffix(".zip.part")
            actual = _stream_to(client, url, partial, algorithm, console)
    except httpx.HTTPError as err:
        raise DownloadError(
            f"could not download {url} ({type(err).__name__}: {err}); check the network or SHRINKSEARCH_MAVEN_URL"
        ) from None
    if actual != expected:
        partial.unlink(missing_ok=True)
        raise DownloadError(
            f"{url} does not match its published {algorithm} checksum; download again, or check SHRINKSEARCH_MAVEN_URL"
        )
    partial.replace(target)
    return target


def unpack(zip_path: Path, dest_parent: Path) -> Path:
    """Unpack the zip's top folder (elasticsearch-<v>) into dest_parent once; return it."""
    dest = dest_parent / zip_path.stem
    if (dest / "bin" / "elasticsearch").is_file():
        return dest
    dest_parent.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(zip_path) as archive:
            needed = sum(info.file_size for info in archive.infolist()) + UNPACK_MARGIN
            ensure_free_space(dest_parent, needed, "unpack Elasticsearch", "SHRINKSEARCH_NODE_HOME")
            _extract(archive, dest_parent, dest)
    except zipfile.BadZipFile:
        # A truncated cache file would fail the same way forever: drop it so the next run refetches.
        zip_path.unlink(missing_ok=True)
        raise DownloadError(
            f"the cached {zip_path.name} was corrupt and has been removed; run `shrinksearch node start` again"
        ) from None
    return dest


def ensure_free_space(path: Path, needed: int, action: str, setting: str) -> None:
    """Raise a NodeError naming the path and the setting when there is not enough room."""
    free = shutil.disk_usage(path).free
    if free < needed:
        raise NodeError(
            f"not enough disk space to {action} in {path}: {needed // 2**20} MB needed, "
            f"{free // 2**20} MB free; free some space or set {setting} to another disk"
        )


def _fetch_with_maven(mvn: str, version: str, cache_dir: Path, console: Console | None) -> bool:
    """Copy the artifact into cache_dir with Maven (which verifies checksums); False on failure."""
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".mvn-") as out:
        command = [
            mvn, "-q", "-B", "--no-transfer-progress", "dependency:copy",
            f"-Dartifact={COORDINATES.format(version=version)}", f"-DoutputDirectory={out}",
        ]  # fmt: skip
        status = console.status(f"Fetching Elasticsearch {version} with Maven…") if console else None
        if status is not None:
            status.start()
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=1800, cwd=out)
        finally:
            if status is not None:
                status.stop()
        fetched = Path(out) / zip_name(version)
        if done.returncode != 0 or not fetched.is_file():
            return False
        # Move only a complete file into the cache, so an interrupted fetch never poisons it.
        fetched.replace(cache_dir / zip_name(version))
    return True


def _published_checksum(client: httpx.Client, url: str) -> tuple[str, str]:
    """The strongest checksum published beside url, as (algorithm, hex digest)."""
    for algorithm in CHECKSUMS:
        response = client.get(f"{url}.{algorithm}")
        if response.status_code == 200 and response.text.strip():
            # Some files hold "<digest>  <file name>": the digest is the first word.
            return algorithm, response.text.split()[0].lower()
    raise DownloadError(
        f"no checksum (.sha512/.sha256/.sha1) is published beside {url}, so it cannot be verified; "
        "check SHRINKSEARCH_MAVEN_URL"
    )


def _stream_to(client: httpx.Client, url: str, path: Path, algorithm: str, console: Console | None) -> str:
    """Stream url into path with a progress bar; return the file's hex digest."""
    digest = hashlib.new(algorithm)
    with client.stream("GET", url) as response, path.open("wb") as out:
        response.raise_for_status()
        total = int(response.headers.get("content-length", 0)) or None
        with _progress(console) as progress:
            task = progress.add_task(f"Downloading {path.name.removesuffix('.part')}", total=total)
            for chunk in response.iter_bytes(1 << 20):
                out.write(chunk)
                digest.update(chunk)
                progress.update(task, advance=len(chunk))
    return digest.hexdigest()


def _progress(console: Console | None) -> Progress:
    columns = (BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())
    return Progress(*columns, console=console, disable=console is None, transient=True)


def _extract(archive: zipfile.ZipFile, dest_parent: Path, dest: Path) -> None:
    """Extract into a temporary folder, restore file modes, then move into place at once."""
    with tempfile.TemporaryDirectory(dir=dest_parent, prefix=".unpack-") as tmp:
        for info in archive.infolist():
            extracted = Path(archive.extract(info, tmp))
            mode = info.external_attr >> 16
            # zipfile drops permissions; bin/ scripts must stay executable.
            if mode and not info.is_dir():
                extracted.chmod(stat.S_IMODE(mode))
        shutil.rmtree(dest, ignore_errors=True)
        (Path(tmp) / dest.name).replace(dest)
