"""Where the tutor keeps its files by default (platformdirs only).

The values in use come from `tutor.settings.Settings`, which starts from these and lets the
config file, `TUTOR_*` variables and flags override them; nothing here reads the environment.

What ships with the course (lessons, the dates model) is package data, found through
`importlib.resources`: in a wheel it lies inside the installed package; in a clone,
`tutor/lessons` is a link to the repository's `lessons/`, so an editable install (or
PYTHONPATH) sees the authors' live edits.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import platformdirs

APP_NAME = "llm-tutor"
REPO_ROOT = Path(__file__).resolve().parent.parent


def package_path(*parts: str) -> Path:
    """A file or folder shipped inside the `tutor` package."""
    return Path(str(files("tutor").joinpath(*parts)))


def default_cache_dir() -> Path:
    """Model weights and converted caches."""
    return platformdirs.user_cache_path(APP_NAME)


def default_data_dir() -> Path:
    """The learner's progress database."""
    return platformdirs.user_data_path(APP_NAME)


def default_lessons_dir() -> Path:
    """The course's lessons."""
    shipped = package_path("lessons")
    # a checkout without symlink support (git core.symlinks=false) leaves a small text file
    # where the link should be; the lessons are then beside the package
    return shipped if shipped.is_dir() else REPO_ROOT / "lessons"


def dates_model_dir() -> Path:
    """Our own encoder-decoder, shipped with the package."""
    return package_path("models", "dates")
