"""Where the tutor keeps its files. Environment variables override platformdirs (tests use them).

What ships with the course (lessons, the dates model) is package data, found through
`importlib.resources`: in a wheel it lies inside the installed package; in a clone,
`tutor/lessons` is a link to the repository's `lessons/`, so an editable install (or
PYTHONPATH) sees the authors' live edits.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

import platformdirs

APP_NAME = "llm-tutor"
REPO_ROOT = Path(__file__).resolve().parent.parent


def package_path(*parts: str) -> Path:
    """A file or folder shipped inside the `tutor` package."""
    return Path(str(files("tutor").joinpath(*parts)))


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
    if env:
        return Path(env)
    shipped = package_path("lessons")
    # a checkout without symlink support (git core.symlinks=false) leaves a small text file
    # where the link should be; the lessons are then beside the package
    return shipped if shipped.is_dir() else REPO_ROOT / "lessons"


def dates_model_dir() -> Path:
    """Our own encoder-decoder, shipped with the package."""
    return package_path("models", "dates")
