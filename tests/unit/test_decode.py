"""The decode package's shared pieces: the incremental detokenizer, one meaning per
probability field, end ids, no import circle; and the tokenizer's thread safety."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from tutor.engine import Engine
from tutor.engine.decode import Detokenizer, candidates


@pytest.fixture(scope="module")
def llama() -> Engine:
    e = Engine("tiny-llama")
    e.load()
    return e


def test_split_characters_are_added_whole_and_the_text_adds_up(llama: Engine) -> None:
    text = "Tokens: 안녕하세요 👋 and café\n\tdone"
    m = llama._get()
    ids = m.text.ids(text, add_special_tokens=False)
    detok = Detokenizer(m.text.decode)
    added = [detok.add(i) for i in ids]
    assert "".join(added) + detok.flush() == m.text.decode(ids) == text
    # the byte-level tiny vocabulary splits the emoji over tokens: while it is incomplete a
    # token adds nothing (its piece shows hex), then one token adds the whole character
    pieces = [m.text.piece(i) for i in ids]
    assert any(p.startswith("<") and p.endswith(">") for p in pieces)
    assert "👋" in added and "" in added
    assert not any("\ufffd" in a for a in added)


def test_an_incomplete_character_at_the_end_is_flushed(llama: Engine) -> None:
    m = llama._get()
    ids = m.text.ids("a 👋", add_special_tokens=False)[:-1]  # stop mid-emoji
    detok = Detokenizer(m.text.decode)
    text = "".join(detok.add(i) for i in ids) + detok.flush()
    assert text == m.text.decode(ids) and text.endswith("\ufffd")


def test_generated_tokens_carry_their_piece_and_added_text(llama: Engine) -> None:
    g = llama.generate("Tokens are", None)
    assert g.text == "".join(t.added for t in g.tokens)
    for t in g.tokens:
        assert t.text == llama.token_text(t.id)


def test_candidates_one_meaning_per_probability() -> None:
    logits = torch.tensor([2.0, 1.0, 0.5, -1.0])
    softmax = torch.softmax(logits, -1).numpy()
    greedy = candidates(logits, 3, str)
    assert [c.id for c in greedy] == [0, 1, 2]
    assert [c.prob for c in greedy] == [1.0, 0.0, 0.0]  # greedy: all mass on the top token
    np.testing.assert_allclose([c.raw_prob for c in greedy], softmax[:3], rtol=1e-6)
    final = np.array([0.6, 0.4, 0.0, 0.0])
    sampled = candidates(logits, 4, str, final)
    assert [c.prob for c in sampled] == pytest.approx([0.6, 0.4, 0.0, 0.0])
    np.testing.assert_allclose([c.raw_prob for c in sampled], softmax, rtol=1e-6)


def test_the_decode_package_has_no_import_circle() -> None:
    """Each module imports on its own, first, in a fresh interpreter."""
    for module in ("blas", "llama", "steppers", "loop", "detok"):
        code = f"import tutor.engine.decode.{module}"
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]


async def test_the_tokenizer_from_the_ui_thread_and_two_workers_at_once() -> None:
    """The UI thread tokenizes (as the tokenizer panel does on each keystroke) while two
    workers embed (which pads: the transformers tokenizer reconfigures itself) and
    tokenize. No "Already borrowed", and every answer is the one computed alone."""
    from textual.app import App

    bert = Engine("tiny-bert")
    bert.load()
    texts = ["The river bank was muddy", "the bank account was empty", "a", "x " * 40]
    alone = {t: bert.tokens(t).ids for t in texts}
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for i in range(60):
                bert.embed(texts[: 2 + i % 3])
                assert bert.tokens(texts[i % 4]).ids == alone[texts[i % 4]]
        except BaseException as err:  # noqa: BLE001 - reported by the test below
            errors.append(err)

    app = App[None]()
    async with app.run_test() as pilot:
        workers = [app.run_worker(worker, thread=True, exit_on_error=False) for _ in range(2)]
        rounds = 0
        while any(w.is_running for w in workers) or rounds < 50:
            for t in texts:
                assert bert.tokens(t).ids == alone[t]
            rounds += 1
            if rounds % 10 == 0:
                await pilot.pause(0)
        await app.workers.wait_for_complete()
    assert errors == []
    assert rounds >= 50
