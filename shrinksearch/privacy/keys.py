"""The installation secret and what is derived from it.

One random secret per installation, created on first use in the privacy directory (mode
0600) and never written anywhere else. Two keys are derived from it: one for the salted
hashes the tombstones store (so a tombstone cannot be checked against a list of names
without the secret), one for commenters' pseudonyms. Losing the secret makes the tombstones
unusable: back the privacy directory up with the data.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from shrinksearch.exceptions import UsageError

SECRET_FILE = "secret.key"
HASH_CHARS = 32  # 128 bits of HMAC-SHA256: plenty against collisions, short in the store
PSEUDONYM_CHARS = 10  # 40 bits: distinct among millions of commenters of one installation


class PrivacyKeys:
    """Keyed hashes (tombstones) and pseudonyms (commenters) from one secret."""

    def __init__(self, secret: bytes) -> None:
        self._hash_key = hmac.digest(secret, b"shrinksearch tombstone hashes", "sha256")
        self._pseudonym_key = hmac.digest(secret, b"shrinksearch commenter pseudonyms", "sha256")

    @classmethod
    def load(cls, privacy_dir: Path, create: bool = False) -> PrivacyKeys | None:
        """The keys of this installation; ``create`` makes the secret when there is none."""
        path = privacy_dir / SECRET_FILE
        if not path.exists():
            if not create:
                return None
            _create_secret(path)
        text = path.read_text(encoding="ascii").strip()
        try:
            return cls(bytes.fromhex(text))
        except ValueError:
            raise UsageError(f"{path} is not a shrinksearch secret (hex); restore it from a backup") from None

    def hash(self, kind: str, value: str) -> str:
        """The salted hash of one value of one kind (author, blog, doc)."""
        digest = hmac.digest(self._hash_key, f"{kind}\x00{value}".encode(), "sha256")
        return digest.hex()[:HASH_CHARS]

    def pseudonym_tag(self, value: str, kind: str = "author") -> str:
        """A short stable tag for a value (an author key, an e-mail address, a URL)."""
        digest = hmac.digest(self._pseudonym_key, f"{kind}\x00{value}".encode(), "sha256")
        return digest.hex()[:PSEUDONYM_CHARS]

    def pseudonym(self, author_key: str) -> str:
        """The display name a pseudonymised commenter gets, e.g. ``Commenter 3f9a2c41d0``."""
        return f"Commenter {self.pseudonym_tag(author_key)}"


def _create_secret(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
