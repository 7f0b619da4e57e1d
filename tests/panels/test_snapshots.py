"""SVG snapshots of each panel on the tiny models (deterministic weights, a fake clock for
the generation timings). Update with `pytest tests/panels/test_snapshots.py --snapshot-update`
after checking the new pictures by eye."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.panels.harness import PanelApp, settle
from tutor.app.engines import EngineHub, Role
from tutor.engine.types import Embeddings

CASES: dict[str, tuple[dict[str, Any], list[str]]] = {
    # decoder only: the tiny encoder's WordPiece vocabulary is trained anew in each process
    # and its ids are not stable between runs (the decoder's byte-level BPE is)
    "tokenizer": ({"text": "The capital of France is Paris. 안녕 👋", "model": "decoder"}, []),
    "embeddings": ({"texts": ["river bank", "bank account", "the capital of France",
                              "money"]}, []),
    "attention": ({"text": "The capital of France is Paris", "layer": 1, "head": 1}, []),
    "next-token": ({"prompt": "The capital of France is", "top_k": 4}, ["ctrl+o"]),
    "generation": ({"prompt": "Once upon a time", "max_new_tokens": 6}, ["ctrl+b"]),
    "prediction-loop": ({"text": "The capital of France is", "max_steps": 3},
                        ["enter", "enter"]),
}


class FakeClock:
    """perf_counter advancing 10 ms per reading: every run takes the same 'time'."""

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        self.now += 0.01
        return self.now


class FixedVectorsEncoder:
    """The tiny encoder's answers with vectors that do not depend on its (unstable) vocabulary:
    one fixed pseudo-random vector per text, so the grid, neighbours and scatter are stable."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def embed(self, texts: list[str], token: str = "") -> Embeddings:
        # no token comparison: the snapshot cases give no word to compare
        vectors = np.stack([np.random.default_rng(sum(t.encode())).normal(size=16)
                            for t in texts])
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return Embeddings(model="fixed", texts=list(texts), vectors=vectors,
                          similarity=vectors @ vectors.T, tokens=[[t] for t in texts],
                          token_vectors=[v[None, :] for v in vectors])

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class FixedVectorsHub(EngineHub):
    def __init__(self, inner: EngineHub) -> None:
        super().__init__(inner.settings)
        self.inner = inner

    def get(self, role: Role) -> Any:
        engine = self.inner.get(role)
        return FixedVectorsEncoder(engine) if role == "encoder" else engine


@pytest.mark.parametrize("panel_id", list(CASES))
def test_panel_snapshot(panel_id: str, tiny_hub: EngineHub, snap_compare: Any,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    check_panel(panel_id, tiny_hub, snap_compare, monkeypatch, (120, 52))


# the sizes a learner meets: every control and label must fit the smallest
@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("panel_id", list(CASES))
def test_panel_snapshot_at_size(panel_id: str, size: tuple[int, int], tiny_hub: EngineHub,
                                snap_compare: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    check_panel(panel_id, tiny_hub, snap_compare, monkeypatch, size)


def check_panel(panel_id: str, tiny_hub: EngineHub, snap_compare: Any,
                monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    from tutor.engine import engine
    from tutor.engine.decode import loop

    # the decode loop times each step and the engine the whole run: both read a fixed clock
    monkeypatch.setattr(loop, "time", FakeClock())
    monkeypatch.setattr(engine, "time", FakeClock())
    inputs, keys = CASES[panel_id]
    hub = FixedVectorsHub(tiny_hub) if panel_id == "embeddings" else tiny_hub
    app = PanelApp(panel_id, hub, inputs)

    async def run_before(pilot: Any) -> None:
        await settle(pilot, app)
        app.screen.set_focus(None)  # no blinking cursor in the picture
        for key in keys:
            # the panel's keys need the focus inside the panel
            app.panel.query_one("Input" if key == "enter" else "Button").focus()
            await pilot.press(key)
            await settle(pilot, app)
        app.screen.set_focus(None)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
