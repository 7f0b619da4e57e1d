"""Where the tutor keeps its files. Environment variables override platformdirs (tests use them)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "llm-tutor"
REPO_ROOT = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    """Model weights and converted caches (TUTOR_CACHE_DIR overrides)."""
    env = os.environ.get("TUTOR_CACHE_DIR")
    return Path(env) if env else platformdirs.user_cache_path(APP_NAME)


def data_dir() -> Path:
    """The learner's progress database (TUTOR_DATA_DIR overrides)."""
    env = os.environ.get("TUTOR_DATA_DIR")
    return Path(env) if env else platformdirs.user_data_path(APP_NAME)


def lessons_dir() -> Path:
    """The course's lessons (TUTOR_LESSONS_DIR overrides)."""
    env = os.environ.get("TUTOR_LESSONS_DIR")
    return Path(env) if env else REPO_ROOT / "lessons"
