"""The hostile cases that need the real models, once each (slow on a CPU: a full-window
forward pass of SmolLM2 reads 8 192 tokens)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile.conftest import one_line, run_tutor
from tutor.engine.fetch import MARKER, model_dir
from tutor.engine.registry import MODELS

pytestmark = [pytest.mark.real, pytest.mark.timeout(900)]


def _json(proc: object) -> dict:
    assert proc.returncode == 0, proc.stderr.decode()  # type: ignore[attr-defined]
    return json.loads(proc.stdout,  # type: ignore[attr-defined]
                      parse_constant=lambda c: pytest.fail(f"the JSON holds {c}"))


def test_next_past_the_window_answers_with_the_end_of_the_text() -> None:
    data = _json(run_tutor("next", "hello " * 9000 + "The capital of France is", "--json",
                           timeout=880))
    assert data["truncated"] is True and "only the last" in data["notice"]
    assert data["prompt_tokens"] == 8192


@pytest.mark.parametrize("temperature", ["1e-38", "1e-40", "1e-45"])
def test_tiny_temperatures_on_the_real_model(temperature: str) -> None:
    data = _json(run_tutor("next", "The capital of France is", "-t", temperature, "--json"))
    assert data["temperature"] == 0 and "greedy" in data["notice"]
    gen = _json(run_tutor("generate", "Once upon a time", "-t", temperature, "-n", "3",
                          "--json"))
    assert len(gen["tokens"]) == 3 and "greedy" in gen["notice"]


def _damaged_copy(name: str, tmp_path: Path) -> Path:
    """A cache beside the real one: links to its files, the weights cut to a prefix."""
    source = model_dir(MODELS[name])
    folder = tmp_path / "cache" / "models" / name
    folder.mkdir(parents=True)
    for item in source.iterdir():
        if item.name != "model.safetensors":
            (folder / item.name).symlink_to(item)
    with (source / "model.safetensors").open("rb") as src, \
            (folder / "model.safetensors").open("wb") as dst:
        dst.write(src.read(10 << 20))
    assert (folder / MARKER).exists()
    return tmp_path / "cache"


# `tokens` reads only tokenizer.json (the fast command line), so cut weights show on a
# command that loads them
@pytest.mark.parametrize("name,command", [("smollm2", ["next", "x"]),
                                          ("minilm", ["embed", "a", "b"])])
def test_a_truncated_real_cache_says_how_to_repair_it(name: str, command: list[str],
                                                      tmp_path: Path) -> None:
    env = {"TUTOR_CACHE_DIR": str(_damaged_copy(name, tmp_path))}
    line = one_line(run_tutor(*command, env=env))
    assert "damaged" in line and f"tutor models fetch --force {name}" in line
    rows = {r["name"]: r for r in _json(run_tutor("models", "--json", env=env))}
    assert rows[name]["status"] == "damaged"
