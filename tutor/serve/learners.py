"""Learners of a classroom server: each has a random id (kept in a browser cookie) and a
folder of their own under the server's data dir, holding their progress store.

The name a learner gives on first connection is saved in that store (setting
NAME_SETTING), so the progress and the name travel together."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

LEARNERS = "learners"
NAME_SETTING = "learner_name"
# set by the server for its sessions: the app asks a learner without a name for one
ASK_NAME_ENV = "TUTOR_ASK_NAME"
# an id is secrets.token_urlsafe(16): 22 characters of [A-Za-z0-9_-]; nothing else is
# accepted, so a cookie can never name a path outside the learners folder
_ID = re.compile(r"[A-Za-z0-9_-]{22}")
NAME_MAX = 60


def new_learner_id() -> str:
    return secrets.token_urlsafe(16)


def is_learner_id(text: str | None) -> bool:
    return text is not None and _ID.fullmatch(text) is not None


def learners_root(data_dir: Path) -> Path:
    return data_dir / LEARNERS


def learner_dir(data_dir: Path, learner_id: str) -> Path:
    if not is_learner_id(learner_id):
        raise ValueError(f"not a learner id: {learner_id!r}")
    return learners_root(data_dir) / learner_id


def learner_ids(data_dir: Path) -> list[str]:
    """Every learner who has a folder on this server."""
    root = learners_root(data_dir)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and is_learner_id(p.name))


def clean_name(text: str) -> str | None:
    """The name as saved: spaces collapsed; None when empty or too long."""
    name = " ".join(text.split())
    if not name or len(name) > NAME_MAX or not name.isprintable():
        return None
    return name
