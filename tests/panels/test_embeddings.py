"""Embeddings panel on the tiny encoder: the grid is the engine's similarity matrix, editing
the lines recomputes it, and bad input gives a message instead of a crash."""

from __future__ import annotations

import numpy as np
import pytest
from textual.widgets import Input, Static, TextArea

from tests.panels.harness import PanelApp, settle, shown
from tutor.app.engines import EngineHub
from tutor.app.panels.embeddings import BANK_EXAMPLE, EmbeddingsPanel, pca_2d
from tutor.app.panels.live import StatusLine

TEXTS = ["river bank", "bank account", "the capital of France"]


async def test_grid_and_neighbours_follow_the_lines(tiny_hub: EngineHub) -> None:
    app = PanelApp("embeddings", tiny_hub, {"texts": TEXTS})
    async with app.run_test(size=(130, 50)) as pilot:
        await settle(pilot, app)
        panel = app.query_one(EmbeddingsPanel)
        expected = tiny_hub.encoder().embed(TEXTS)
        assert panel.embeddings is not None
        np.testing.assert_allclose(panel.embeddings.similarity, expected.similarity, atol=1e-6)
        grid = shown(app.query_one("#emb-grid", Static))
        assert f"{expected.similarity[0, 1]:5.2f}" in grid
        off = expected.similarity[~np.eye(3, dtype=bool)]
        assert app.panel.result["count"] == 3
        assert app.panel.result["max_similarity"] == pytest.approx(float(off.max()), abs=1e-6)
        assert app.panel.result["min_similarity"] == pytest.approx(float(off.min()), abs=1e-6)
        j, _ = expected.nearest(0, 1)[0]
        neighbours = shown(app.query_one("#emb-neighbours", Static))
        assert f"→ {j + 1} {TEXTS[j]}" in neighbours

        area = app.query_one("#emb-texts", TextArea)
        area.focus()
        area.move_cursor(area.document.end)
        await pilot.press("enter", *"money")
        await settle(pilot, app)
        assert app.panel.result["texts"] == [*TEXTS, "money"]

        await pilot.click("#emb-example")
        await settle(pilot, app)
        assert app.panel.result["texts"] == BANK_EXAMPLE


@pytest.mark.parametrize("raw", ["", "\n \n", "😀\n\x00\x1b[2J\n안녕 مرحبا"])
async def test_bad_lines(tiny_hub: EngineHub, raw: str) -> None:
    app = PanelApp("embeddings", tiny_hub, {"texts": ["a"]})
    async with app.run_test(size=(130, 50)) as pilot:
        await settle(pilot, app)
        app.query_one("#emb-texts", TextArea).text = raw
        await settle(pilot, app)
        status = app.query_one(StatusLine)
        if raw.strip():
            assert app.panel.result["count"] == 3
        else:
            assert "at least one" in shown(status) and status.has_class("-error")


async def test_too_many_lines_are_cut_with_a_notice(tiny_hub: EngineHub) -> None:
    app = PanelApp("embeddings", tiny_hub, {"texts": [f"word {i}" for i in range(40)]})
    async with app.run_test(size=(130, 50)) as pilot:
        await settle(pilot, app)
        assert app.panel.result["count"] == 24
        assert "only the first 24" in shown(app.query_one(StatusLine))


def test_pca_keeps_the_main_direction() -> None:
    rng = np.random.default_rng(0)
    points = np.outer(np.linspace(-1, 1, 9), [3.0, 4.0, 0.0]) + rng.normal(0, 0.01, (9, 3))
    coords = pca_2d(points)
    assert coords.shape == (9, 2)
    # nearly all the spread is along the first axis, and distances along it are kept
    assert np.var(coords[:, 0]) > 100 * np.var(coords[:, 1])
    assert abs(coords[-1, 0] - coords[0, 0]) == pytest.approx(10.0, rel=0.01)
    assert pca_2d(points[:1]).shape == (1, 2) and pca_2d(points[:2]).shape == (2, 2)


BANK = ["we sat on the river bank", "the bank raised its rates", "a bank by the water"]


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


async def test_the_word_is_compared_by_its_contextual_vectors(tiny_hub: EngineHub) -> None:
    """`token_similarity` compares the word's own vectors (the hidden state at its position,
    found here from the tokenizer independently), not the sentence vectors."""
    app = PanelApp("embeddings", tiny_hub, {"texts": BANK, "token": "bank"})
    async with app.run_test(size=(130, 60)) as pilot:
        await settle(pilot, app)
        engine = tiny_hub.encoder()
        plain = engine.embed(BANK)
        positions = [toks.index("bank") for toks in plain.tokens]
        vectors = [plain.token_vectors[i][p] for i, p in enumerate(positions)]
        result = app.panel.result
        assert set(result) == set(EmbeddingsPanel.spec().results)
        assert result["token"] == "bank"
        for i in range(3):
            for j in range(3):
                assert result["token_similarity"][i][j] == pytest.approx(
                    _cosine(vectors[i], vectors[j]), abs=1e-5)
        off = [_cosine(vectors[i], vectors[j]) for i in range(3) for j in range(3) if i != j]
        assert result["token_min_similarity"] == pytest.approx(min(off), abs=1e-5)
        assert result["token_max_similarity"] == pytest.approx(max(off), abs=1e-5)
        # not the sentence similarity
        assert result["token_similarity"][0][1] != pytest.approx(
            float(plain.similarity[0, 1]), abs=1e-3)
        j = 1 + int(np.argmax(plain.similarity[0, 1:]))
        assert result["nearest"] == BANK[j]
        assert result["nearest_similarity"] == pytest.approx(float(plain.similarity[0, j]))
        assert "“bank” in each line" in shown(app.query_one("#emb-token-grid", Static))

        # a word missing from a line: a notice, and no number that a rule could pass on
        app.query_one("#emb-token", Input).value = "river"
        await settle(pilot, app)
        result = app.panel.result
        assert result["token"] == "river" and result["token_similarity"] is None
        assert result["token_min_similarity"] is None
        assert "“river” is not a word of line 2, 3" in shown(app.query_one(StatusLine))
