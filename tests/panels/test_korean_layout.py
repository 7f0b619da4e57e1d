"""Width logic of the panels for double-width text (Hangul, emoji) and for jamo, and the
translated sentences the panels build: measured in terminal cells with Rich's cell_len, the
measure the terminal draws by."""

from __future__ import annotations

import numpy as np
import pytest
from rich.cells import cell_len
from rich.text import Text

from tutor import i18n
from tutor.app.panels.attention import cell_text, cells_text, header_lines
from tutor.app.panels.chips import wrap_chips
from tutor.app.panels.layers import LABEL_WIDTH as LENS_LABEL_WIDTH
from tutor.app.panels.layers import layer_label
from tutor.app.panels.render import chip_text, clip, fill, pad, plot_label, visible
from tutor.app.panels.tokenizer import cost_lines
from tutor.engine.types import Token, Tokenization


@pytest.fixture
def korean():
    i18n.use("ko")
    yield
    i18n.use("en")


@pytest.mark.parametrize("text", ["안녕하세요 여러분", "The capital of France", "토큰 👋 token",
                                  "ᄋ##ᅡ"])
@pytest.mark.parametrize("width", [1, 2, 3, 5, 8, 40])
def test_clip_and_pad_count_cells_not_characters(text: str, width: int):
    clipped = clip(text, width)
    assert cell_len(clipped) <= width
    assert clipped == text or clipped.endswith("…")
    for align in "<>^":
        assert cell_len(pad(text, width, align)) == width


def test_clip_keeps_english_as_it_was_and_drops_a_straddling_syllable_whole():
    assert clip("The capital of France", 15) == "The capital of…"
    assert clip("안녕하세요", 6) == "안녕…"  # 하 would straddle the cut: no half syllable
    assert pad("안녕", 6, ">") == "  안녕"
    assert all("ab".center(w) == pad("ab", w, "^") for w in range(2, 9))


def test_lone_jamo_are_drawn_as_hangul_letters_two_cells_wide():
    # WordPiece (MiniLM) splits 안 into ᄋ ##ᅡ ##ᆫ; the vowel and the final consonant are
    # zero cells wide on their own and a terminal draws them over the '#'
    assert cell_len("##ᅡ") == 2
    assert visible("ᄋ") == "ㅇ" and visible("##ᅡ") == "##ㅏ" and visible("##ᆫ") == "##ㄴ"
    assert cell_len(chip_text("##ᅡ", 30006)) == cell_len("##ㅏ") + len("30006")
    assert visible("안녕 👋") == "안녕 👋" and visible("a\x1bb") == "a␛b"


def test_double_width_chips_wrap_on_the_cell_count():
    chips = [chip_text(p, i) for i, p in enumerate(["안녕", "하세요", "👋", "<EC><95>", "##ᅡ"])]
    widths = [cell_len(c) for c in chips]
    for width in range(4, 30):
        for start, end, fragment in wrap_chips(chips, widths, width):
            if fragment is not None:
                assert cell_len(fragment) <= width
                continue
            # every chip and the space between two of them within the line
            assert sum(widths[start:end]) + (end - start - 1) <= width, (width, start, end)


def test_the_attention_header_keeps_each_key_over_its_column_with_wide_labels():
    labels = ["The", "수도", "는", "파리", "👋"]
    cell = 5
    rows = header_lines(labels, cell)
    for row in rows:
        assert len(row) == len(labels) * cell  # one entry per cell
        assert cell_len("".join(row)) == len(labels) * cell
    top = "".join(rows[1])
    for k, label in enumerate(labels):  # one row: each label centred inside its own column
        column = "".join(rows[1][k * cell:(k + 1) * cell])
        assert label in column and cell_len(column) == cell, (label, top)
    # two staggered rows once a label does not fit its cell
    rows = header_lines(["안녕하세요", "토큰", "x"], 3)
    assert rows[0][0] == "안" and rows[0][1] == "" and rows[1][3] == "토"
    # a window cut through a wide character still has the window's width
    for start in range(0, 9):
        for end in range(start, 10):
            assert cell_len(cells_text(rows[0], start, end)) == end - start


def test_the_heat_map_cells_line_up_whatever_the_labels(korean: None):
    assert cell_len(cell_text(0.42, False, 4)) == 4 and cell_text(0.0, True, 4) == "    "


def test_a_translated_sentence_puts_its_styled_values_where_the_translation_says():
    out = fill("{n} tokens · {rate} tokens/s", "dim", n=("3", "bold"), rate="1.5")
    assert out.plain == "3 tokens · 1.5 tokens/s"
    assert [(out.plain[s.start:s.end], str(s.style)) for s in out.spans] == [
        ("3", "bold"), (" tokens · 1.5 tokens/s", "dim")]
    korean = fill("초당 {rate}토큰 · 토큰 {n}개", "dim", n=("3", "bold"), rate="1.5")
    assert korean.plain == "초당 1.5토큰 · 토큰 3개"
    assert [korean.plain[s.start:s.end] for s in korean.spans if s.style == "bold"] == ["3"]
    nested = fill("a {inner} b", inner=Text("x", "red"))
    assert nested.plain == "a x b" and nested.spans[0].style == "red"


def test_the_tokenizer_cost_line_is_korean_with_the_script_named_in_korean(korean: None):
    text = "한국어 tokens"
    tokens = [Token(id=i, text=text[a:b], start=a, end=b, special=False)
              for i, (a, b) in enumerate([(0, 1), (1, 2), (2, 3), (3, 10)])]
    tok = Tokenization(model="m", text=text, tokens=tokens)
    latin, korean = cost_lines(tok).plain.splitlines()  # most characters first
    assert latin == "영어/라틴 문자: 공백 제외 6자 → 토큰 1개 (토큰당 6.00자)"
    assert korean == "한글: 공백 제외 3자 → 토큰 3개 (토큰당 1.00자), 글자당 비용이 영어의 6.0배"


def test_the_logit_lens_row_labels_fit_their_column_in_korean(korean: None):
    # SmolLM2 has 30 layers: emb, L1 … L30
    assert all(cell_len(layer_label(n)) <= LENS_LABEL_WIDTH - 1 for n in range(0, 31))


def test_a_korean_plot_keeps_its_width_and_its_right_edge():
    # plotext gives each character one cell: a Hangul title or legend made its lines two
    # cells longer per syllable, and the wrapped lines pushed the plot's bottom off
    from textual_plotext import PlotextPlot

    def widths(title: str, label: str) -> set[int]:
        plt = PlotextPlot().plt
        plt.clear_figure()
        plt.plotsize(40, 8)
        plt.title(title)
        plt.xlabel(plot_label("문맥 속 토큰 수"))
        plt.plot([1, 2, 3], [1, 3, 2], label=label)
        return {cell_len(line) for line in Text.from_ansi(plt.build()).plain.splitlines()}

    assert widths("위치별 토큰당 시간 (ms)", "캐시 켬") != {40}  # as plotext draws it
    assert widths(plot_label("위치별 토큰당 시간 (ms)"), plot_label("캐시 켬")) == {40}
    assert plot_label("time per token (ms)") == "time per token (ms)"


def test_the_query_bars_show_a_long_masked_word_whole_and_keep_their_columns(korean: None):
    from tutor.app.panels.attention import query_bars
    from tutor.engine.types import AttentionMaps

    n = 3
    weights = np.tril(np.ones((n, n)))
    weights = (weights / weights.sum(axis=1, keepdims=True))[None, None]
    maps = AttentionMaps(model="m", facts=None, tokens=["고양이", "가", "␣잔다"],  # type: ignore[arg-type]
                         weights=weights, causal=True)
    lines = [line.plain for line in query_bars(maps, 0, 0, row=0, key=0)]
    masked = i18n._("masked")
    assert lines[0] == i18n._("“{token}” looks at").format(token="고양이")
    assert "고양이" in lines[0] and lines[0] != "“고양이” looks at"
    assert lines[2].rstrip().endswith(masked) and lines[3].rstrip().endswith(masked)
    # every bar row is as wide as the others, in cells
    assert len({cell_len(line.removesuffix(" ◀")) for line in lines[1:]}) == 1
