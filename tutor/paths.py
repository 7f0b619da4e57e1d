"""Where the tutor keeps its files by default (platformdirs only).

The values in use come from `tutor.settings.Settings`, which starts from these and lets the
config file, `TUTOR_*` variables and flags override them; nothing here reads the environment.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "llm-tutor"
REPO_ROOT = Path(__file__).resolve().parent.parent


def default_cache_dir() -> Path:
    """Model weights and converted caches."""
    return platformdirs.user_cache_path(APP_NAME)


def default_data_dir() -> Path:
    """The learner's progress database."""
    return platformdirs.user_data_path(APP_NAME)


def default_lessons_dir() -> Path:
    """The course's lessons."""
    return REPO_ROOT / "lessons"
