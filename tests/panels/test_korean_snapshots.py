"""SVG snapshots of two panels in Korean at 80x24 and 100x30: the tokenizer on a Korean
sentence (the byte-level BPE's byte pieces beside WordPiece's jamo) and the next-token
panel's table and sampling lines. Update with
`pytest tests/panels/test_korean_snapshots.py --snapshot-update` after checking the new
pictures by eye (nothing cut, columns aligned)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest

from tests.panels.harness import PanelApp, settle
from tutor import i18n
from tutor.app.engines import EngineHub, Role
from tutor.engine.tokenize import TextTokenizer
from tutor.engine.types import Tokenization

SENTENCE = "한국어 토큰화: 안녕하세요 👋"


def jamo_wordpiece() -> TextTokenizer:
    """A WordPiece tokenizer with MiniLM's normaliser (lower case, accents stripped through
    NFD, so Hangul syllables fall apart into jamo) and a fixed vocabulary of those jamo: the
    tiny encoder's vocabulary has no Korean, and the real one is not in the fast tier."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

    jamo = sorted({ch for ch in unicodedata.normalize("NFD", SENTENCE)
                   if "\u1100" <= ch <= "\u11ff"})
    vocab_list = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", ":"] + jamo + [f"##{j}" for j in jamo]
    tok = Tokenizer(models.WordPiece(vocab={p: i for i, p in enumerate(vocab_list)},
                                     unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tok.add_special_tokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]"])
    return TextTokenizer(tok, "jamo-wordpiece", 128)


class JamoEncoder:
    """The tiny encoder, tokenizing through the jamo WordPiece."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.text = jamo_wordpiece()

    def tokens(self, text: str) -> Tokenization:
        return self.text.tokenize(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class JamoHub(EngineHub):
    def __init__(self, inner: EngineHub) -> None:
        super().__init__(inner.settings)
        self.inner = inner
        self.encoder_engine = JamoEncoder(inner.get("encoder"))

    def get(self, role: Role) -> Any:
        return self.encoder_engine if role == "encoder" else self.inner.get(role)


@pytest.fixture
def korean() -> Iterator[None]:
    i18n.use("ko")
    yield
    i18n.use("en")


def test_the_jamo_wordpiece_splits_syllables_as_minilm_does():
    tok = jamo_wordpiece().tokenize("안녕")
    assert [t.text for t in tok.tokens] == ["[CLS]", "ᄋ", "##ᅡ", "##ᆫ", "##ᄂ", "##ᅧ", "##ᆼ",
                                            "[SEP]"]


CASES: dict[str, tuple[dict[str, Any], list[str]]] = {
    "tokenizer": ({"text": SENTENCE}, []),
    "next-token": ({"prompt": "The capital of France is", "top_k": 4}, ["ctrl+o"]),
}


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("panel_id", list(CASES))
def test_korean_panel_snapshot(panel_id: str, size: tuple[int, int], tiny_hub: EngineHub,
                               snap_compare: Any, korean: None) -> None:
    inputs, keys = CASES[panel_id]
    hub = JamoHub(tiny_hub) if panel_id == "tokenizer" else tiny_hub
    app = PanelApp(panel_id, hub, inputs)

    async def run_before(pilot: Any) -> None:
        await settle(pilot, app)
        for key in keys:
            app.panel.query_one("Button").focus()  # the panel's keys need the focus in it
            await pilot.press(key)
            await settle(pilot, app)
        app.screen.set_focus(None)  # no blinking cursor in the picture
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
