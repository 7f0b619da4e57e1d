"""Each panel once on the real models (SmolLM2-135M-Instruct and all-MiniLM-L6-v2)."""

from __future__ import annotations

import numpy as np
import pytest
from textual.widgets import Input, Static

from tests.panels.harness import PanelApp, settle, shown
from tutor.app.engines import EngineHub
from tutor.app.panels.attention import AttentionHeatmap
from tutor.app.panels.embeddings import BANK_EXAMPLE, EmbeddingsPanel
from tutor.app.panels.lines import LineView

pytestmark = pytest.mark.real


async def test_tokenizer_real(real_hub: EngineHub) -> None:
    app = PanelApp("tokenizer", real_hub, {"text": "unbelievably 안녕하세요"})
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        result = app.panel.result
        # WordPiece splits the rare word into several pieces; Korean costs far more per
        # character than English in the byte-level BPE vocabulary
        assert result["encoder_token_count"] > 2
        assert result["tokens"][0] == "un"
        costs = shown(app.query_one("#tok-decoder .tok-costs", Static))
        assert "Korean: 5 non-space chars" in costs


async def test_next_token_real(real_hub: EngineHub) -> None:
    app = PanelApp("next-token", real_hub, {"prompt": "The capital of France is", "top_k": 5})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        result = app.panel.result
        assert result["greedy_token"] == "Paris" and result["top_token"] == "Paris"
        assert result["kept_count"] == 5 and "Paris" in result["kept_tokens"]
        assert result["top_prob"] > 0.5


async def test_attention_real(real_hub: EngineHub) -> None:
    text = "The animal didn't cross the street because it was too tired"
    app = PanelApp("attention", real_hub, {"text": text, "layer": 13, "head": 8})
    async with app.run_test(size=(130, 50)) as pilot:
        await settle(pilot, app)
        heatmap = app.query_one(AttentionHeatmap)
        heatmap.focus()
        it = heatmap.labels.index("␣it")
        for _ in range(len(heatmap.labels) - 1 - it):
            await pilot.press("up")
        await settle(pilot, app)
        assert heatmap.row == it
        # what lesson 2 tells the learner: in this head "it" looks mostly at "animal"
        animal = heatmap.labels.index("␣animal")
        assert heatmap.matrix[it, animal] > 0.5
        assert "“␣it” looks at" in app.query_one("#att-bars", LineView).plain
        assert np.triu(heatmap.matrix, 1).sum() == 0


async def test_embeddings_real(real_hub: EngineHub) -> None:
    app = PanelApp("embeddings", real_hub, {"texts": BANK_EXAMPLE})
    async with app.run_test(size=(130, 50)) as pilot:
        await settle(pilot, app)
        emb = app.query_one(EmbeddingsPanel).embeddings
        assert emb is not None
        # "bank" by the river lands near the shore, "bank" with money near the savings
        assert emb.nearest(0, 1)[0][0] == BANK_EXAMPLE.index(
            "The water flowed past the grassy shore.")
        assert emb.nearest(1, 1)[0][0] == BANK_EXAMPLE.index(
            "She deposited her salary into savings.")


async def test_prediction_loop_real(real_hub: EngineHub) -> None:
    app = PanelApp("prediction-loop", real_hub, {"text": "The capital of France is",
                                                 "max_steps": 2})
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot, app)
        app.query_one(Input).focus()
        for _ in range(2):
            await pilot.press("enter")
            await settle(pilot, app)
        result = app.panel.result
        assert result["finished"] and result["stop_reason"] == "max_steps"
        assert result["output"].startswith(" Paris")


async def test_generation_real(real_hub: EngineHub) -> None:
    app = PanelApp("generation", real_hub, {"preset": "few-shot"})
    async with app.run_test(size=(130, 60)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+g")
        await settle(pilot, app)
        result = app.panel.result
        # three worked examples are enough for the small model to answer in the format
        assert result["text"].strip().startswith("negative")
        assert result["runs"] == 1 and result["token_count"] == 3
        assert result["stop_reason"] == "max_new_tokens" and result["tokens_per_s"] > 0
