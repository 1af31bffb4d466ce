"""Run the node as an unprivileged user when the caller is root.

Elasticsearch refuses to run as root (CI runs as root). Then the node runs as
settings.node_user — created as a system user if missing — with its home owned by that
user and placed where that user can enter (other users cannot enter /root).
"""

from __future__ import annotations

import os
import pwd
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shrinksearch.exceptions import NodeError, UsageError


@dataclass(frozen=True)
class NodeUser:
    """The account the node process runs as."""

    name: str
    uid: int
    gid: int

    def popen_kwargs(self) -> dict[str, Any]:
        """subprocess arguments that drop root for the child, supplementary groups included."""
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def can_enter(self, path: Path) -> bool:
        """Whether this user can traverse path (asked of the kernel, so ACLs count too)."""
        done = subprocess.run(["test", "-x", str(path)], **self.popen_kwargs())
        return done.returncode == 0

    def own(self, root: Path) -> None:
        """Give root and everything under it to this user."""
        os.chown(root, self.uid, self.gid)
        for parent, dirs, files in os.walk(root):
            for name in dirs + files:
                os.chown(os.path.join(parent, name), self.uid, self.gid, follow_symlinks=False)


def node_user(name: str) -> NodeUser | None:
    """The user to run the node as: None when not root, else `name` (created if missing)."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        entry = _create(name)
    if entry.pw_uid == 0:
        raise UsageError(f"SHRINKSEARCH_NODE_USER={name} is root; Elasticsearch refuses root, name an unprivileged user")
    return NodeUser(name, entry.pw_uid, entry.pw_gid)


def as_user(user: NodeUser | None) -> dict[str, Any]:
    """subprocess arguments that run a child as user (nothing when not root)."""
    return user.popen_kwargs() if user is not None else {}


def _create(name: str) -> pwd.struct_passwd:
    command = [
        "useradd", "--system", "--user-group", "--no-create-home",
        "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name,
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True)
    except OSError as err:
        done = subprocess.CompletedProcess(command, 1, "", str(err))
    if done.returncode != 0:
        reason = done.stderr.strip().splitlines()[-1:] or ["unknown error"]
        raise NodeError(
            f"could not create user {name!r} to run Elasticsearch ({reason[0]}); "
            "create an unprivileged user and set SHRINKSEARCH_NODE_USER to it"
        )
    return pwd.getpwnam(name)
