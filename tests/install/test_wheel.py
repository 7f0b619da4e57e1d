"""The wheel carries the course: built from the tracked sources, installed into a fresh
virtual environment, it checks its lessons, reports progress and draws its first screen from
a folder far from the source tree.

The fresh environment reuses this interpreter's installed packages (torch among them)
through a .pth file, so nothing is downloaded and the test stays quick.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted(p.name for p in (ROOT / "lessons").glob("*.yaml"))

FIRST_SCREEN = """
import asyncio, json, sys
import tutor
from tutor import paths
from tutor.app.app import TutorApp

async def main():
    app = TutorApp(load_model=False)
    async with app.run_test() as pilot:
        await pilot.pause()
        print(json.dumps({
            "package": tutor.__file__,
            "lessons": str(paths.default_lessons_dir()),
            "screen": type(app.screen).__name__,
            "rows": app.screen.query_one("#lessons").row_count,
            "torch": "torch" in sys.modules,
        }))

asyncio.run(main())
"""


def _shipped_files(src: Path) -> set[str]:
    """Every file the package should carry besides its code, as wheel paths."""
    return {p.relative_to(src).as_posix() for p in (src / "tutor").rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc")}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the wheel, a fresh venv with it installed)."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    # symlinks=True keeps tutor/lessons a link to lessons/, as in a clone
    shutil.copytree(ROOT / "tutor", src / "tutor", symlinks=True, ignore=ignore)
    shutil.copytree(ROOT / "lessons", src / "lessons", ignore=ignore)
    dist = base / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--no-index", "--quiet", "-w", str(dist), str(src)],
                   check=True, capture_output=True, text=True, timeout=300)
    wheel = next(dist.glob("llm_tutor-*.whl"))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    purelib = Path(subprocess.run(
        [str(venv / "bin" / "python"), "-c",
         "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip())
    here = {sysconfig.get_paths()["purelib"], *site.getsitepackages()}
    (purelib / "reuse-installed.pth").write_text("\n".join(sorted(here)) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
                    "install", "--no-deps", "--no-index", "--ignore-installed", "--quiet",
                    str(wheel)], check=True, capture_output=True, text=True, timeout=300)
    return wheel, venv


def _run(venv: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "TUTOR_LESSONS_DIR", "VIRTUAL_ENV")}
    env["TUTOR_DATA_DIR"] = str(cwd / "data")
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_wheel_carries_lessons_models_and_styles(built: tuple[Path, Path]) -> None:
    wheel, _ = built
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"tutor/lessons/{n}" for n in LESSONS} <= names
    # every language: a lessons/<lang>/ folder travels too
    for translated in (ROOT / "lessons").glob("*/*.yaml"):
        assert f"tutor/lessons/{translated.relative_to(ROOT / 'lessons').as_posix()}" in names
    missing = _shipped_files(wheel.parent.parent / "src") - names
    assert not missing, f"not in the wheel: {sorted(missing)}"
    assert "tutor/models/dates/model.safetensors" in names
    assert "tutor/app/app.tcss" in names


def test_installed_tutor_runs_outside_the_source_tree(built: tuple[Path, Path],
                                                      tmp_path: Path) -> None:
    _, venv = built
    tutor = str(venv / "bin" / "tutor")
    check = _run(venv, [tutor, "check"], tmp_path)
    assert check.returncode == 0, check.stderr
    assert f"ok: {len(LESSONS)} lesson files" in check.stderr

    progress = _run(venv, [tutor, "progress", "--json"], tmp_path)
    assert progress.returncode == 0, progress.stderr
    summary = json.loads(progress.stdout)
    assert summary["total"] == len(LESSONS) and summary["done"] == 0

    models = _run(venv, [tutor, "models", "--json"], tmp_path)
    dates = next(m for m in json.loads(models.stdout) if m["name"] == "dates")
    assert dates["present"] and dates["path"].startswith(str(venv))

    screen = _run(venv, [str(venv / "bin" / "python"), "-c", FIRST_SCREEN], tmp_path)
    assert screen.returncode == 0, screen.stderr[-3000:]
    out = json.loads(screen.stdout.strip().splitlines()[-1])
    assert out["package"].startswith(str(venv)) and out["lessons"].startswith(str(venv))
    assert out["screen"] == "MapScreen" and out["rows"] == len(LESSONS)
    assert out["torch"] is False


def test_a_clone_reads_the_lessons_it_edits(monkeypatch: pytest.MonkeyPatch) -> None:
    """From the source tree (editable install or PYTHONPATH) the package's lessons are the
    repository's lessons/ folder itself, so an author's edit shows at once."""
    from tutor import paths

    monkeypatch.delenv("TUTOR_LESSONS_DIR", raising=False)
    assert paths.default_lessons_dir().resolve() == (ROOT / "lessons").resolve()
