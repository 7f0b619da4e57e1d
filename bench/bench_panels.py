"""Benchmarks of the live panels on the real models, reported as ratios (issue 5):

1. keystroke → updated tokenizer panel, for inputs up to 2 000 characters, against one
   frame (16 ms);
2. attention for a 128-token input, all layers and heads, from the request to the drawn
   heat map, against a plain forward pass of the same input;
3. streaming generation in the generation panel (tokens/s seen by the learner) against a
   plain `model.generate` with the same settings.

Each panel runs inside a headless Textual app, as in the tests; the plain baselines run in
the same process, interleaved with the panel runs. Results go to the "Panels" section of
bench/RESULTS.md (other sections are left as they are).

    .venv/bin/python bench/bench_panels.py [--quick] [--only tokenizer]

`--only tokenizer` runs the keystroke section alone and prints its table without touching
RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import machine  # noqa: E402
from report import write_section  # noqa: E402
from textual import events  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import Input  # noqa: E402

from tutor.app.engines import EngineHub  # noqa: E402
from tutor.app.panels.attention import AttentionPanel  # noqa: E402
from tutor.app.panels.base import Panel  # noqa: E402
from tutor.app.panels.generation import GenerationPanel  # noqa: E402
from tutor.app.panels.tokenizer import TokenizerPanel  # noqa: E402
from tutor.settings import Settings  # noqa: E402

FRAME_MS = 16.0
PROSE = ("Language models read text as tokens: pieces of words chosen so that common words "
         "stay whole and rare ones fall apart into smaller parts. Each token becomes a vector, "
         "attention mixes the vectors of a sentence, and the last position predicts the next "
         "token, one step at a time. ")
GEN_PROMPT = "Here is a short story about a lighthouse keeper and a storm at sea:"


class Host(App[None]):
    def __init__(self, panel: type[Panel], hub: EngineHub, inputs: dict[str, Any]) -> None:
        super().__init__()
        self.hub = hub
        self.panel_cls = panel
        self.inputs = inputs
        self.published = 0
        self.changed = asyncio.Event()

    def compose(self) -> ComposeResult:
        yield self.panel_cls(self.hub, self.inputs, id="panel")

    def on_panel_result_changed(self, message: Panel.ResultChanged) -> None:
        self.published += 1
        self.changed.set()


async def wait_for(app: Host, cond: Callable[[], bool], timeout: float = 600.0) -> None:
    """Wait, without spinning, until a published result makes `cond` true.

    Polling in a tight loop would hold the interpreter lock the panel's worker needs, and
    slow down exactly what is being measured."""
    end = time.perf_counter() + timeout
    while True:
        app.changed.clear()
        if cond():
            return
        left = end - time.perf_counter()
        if left <= 0:
            raise TimeoutError("the panel did not answer in time")
        await asyncio.wait_for(app.changed.wait(), timeout=left)


async def settle(app: Host) -> None:
    panel = app.query_one(Panel)
    for _ in range(3):
        while panel._job_timers or panel._jobs_running:  # type: ignore[attr-defined]
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.05)


def paint_ms(app: Host) -> tuple[float, float]:
    """One full repaint of the screen (an upper bound on what the next frame draws):
    wall and CPU milliseconds."""
    t, c = time.perf_counter(), time.process_time()
    app.screen._refresh_layout(app.size)  # noqa: SLF001 - the same call a frame makes
    app.screen._compositor.render_update(full=True)  # noqa: SLF001
    return (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000


def ms(xs: list[float]) -> float:
    return statistics.median(xs)


# -- 1. tokenizer keystrokes ------------------------------------------------------------------
async def bench_tokenizer(hub: EngineHub, sizes: list[int], presses: int) -> list[list[str]]:
    rows = []
    for size in sizes:
        text = (PROSE * (size // len(PROSE) + 1))[: size - presses]
        app = Host(TokenizerPanel, hub, {"text": text})
        async with app.run_test(size=(160, 50)):
            await settle(app)
            panel = app.query_one(TokenizerPanel)
            field = app.query_one(Input)
            field.focus()
            field.cursor_position = len(field.value)
            answer, paint, cpu = [], [], []
            for i in range(presses):
                ch = "ab "[i % 3]
                expected = field.value + ch
                t, c = time.perf_counter(), time.process_time()
                field.post_message(events.Key(ch if ch != " " else "space", ch))
                await wait_for(app, lambda e=expected, p=panel: p.result.get("text") == e)
                answer.append((time.perf_counter() - t) * 1000)
                answer_cpu = (time.process_time() - c) * 1000
                wall, paint_cpu = paint_ms(app)
                paint.append(wall)
                cpu.append(answer_cpu + paint_cpu)
            total = ms(answer) + ms(paint)
            rows.append([f"{len(expected):,}", f"{panel.result['token_count']}",
                         f"{ms(answer):.1f}", f"{ms(paint):.1f}", f"{total:.1f}",
                         f"{total / FRAME_MS:.2f}", f"{ms(cpu):.1f}",
                         f"{ms(cpu) / FRAME_MS:.2f}"])
            print("tokenizer", rows[-1], flush=True)
    return rows


def only_tokenizer(presses: int) -> None:
    """The keystroke table alone, printed in RESULTS.md's format, with the load average."""
    info = machine.describe()
    hub = EngineHub(Settings.build({"decoder": "smollm2", "encoder": "minilm"}))
    hub.decoder().load()
    hub.encoder().load()
    rows = asyncio.run(bench_tokenizer(hub, [100, 500, 2000], presses))
    print(f"{info['date']}; load average at start {info['load average at start']}, "
          f"at the end {machine._load_average()}")  # noqa: SLF001
    print("\n".join(table(["chars", "decoder tokens", "answer ms", "repaint ms", "total ms",
                           "ratio to 16 ms", "CPU ms", "CPU ratio to 16 ms"], rows)))


# -- 2. attention --------------------------------------------------------------------------
def text_of_tokens(hub: EngineHub, n: int) -> str:
    engine = hub.decoder()
    tok = engine._get().tokenizer  # noqa: SLF001 - the benchmark may look inside
    ids = tok((PROSE * 8), add_special_tokens=False)["input_ids"]
    text = tok.decode(ids[:n])
    while engine.tokens(text).count > n:
        text = text[:-1]
    return text


def plain_forward_ms(hub: EngineHub, text: str) -> tuple[float, float]:
    """Wall and CPU (all threads) milliseconds of one forward pass without attentions.

    The transformer body only, as the attention call runs it: the output layer, which
    the panel never needs, is left out of both sides."""
    import torch

    m = hub.decoder()._get()  # noqa: SLF001
    ids = torch.tensor([m.tokenizer(text)["input_ids"]], device=m.device)
    body = getattr(m.model, "base_model", m.model)
    with torch.inference_mode():
        t, c = time.perf_counter(), time.process_time()
        body(input_ids=ids, use_cache=False)
        return (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000


async def bench_attention(hub: EngineHub, repeats: int) -> tuple[list[list[str]], int]:
    text = text_of_tokens(hub, 128)
    app = Host(AttentionPanel, hub, {"text": text})
    panel_ms, paint, forward, panel_cpu, forward_cpu = [], [], [], [], []
    async with app.run_test(size=(160, 50)):
        await settle(app)
        panel = app.query_one(AttentionPanel)
        plain_forward_ms(hub, text)  # warm-up
        for _ in range(repeats):
            wall, cpu = plain_forward_ms(hub, text)
            forward.append(wall)
            forward_cpu.append(cpu)
            before = app.published
            t, c = time.perf_counter(), time.process_time()
            panel.recompute(delay=0)
            await wait_for(app, lambda b=before: app.published > b)
            panel_ms.append((time.perf_counter() - t) * 1000)
            answer_cpu = (time.process_time() - c) * 1000
            wall, cpu = paint_ms(app)
            paint.append(wall)
            panel_cpu.append(answer_cpu + cpu)
        n = len(panel.maps.tokens) if panel.maps else 0
        facts = panel.maps.facts if panel.maps else None
    total = ms(panel_ms) + ms(paint)
    what = f"{facts.layers} layers × {facts.heads} heads" if facts else ""
    rows = [[f"{n}", what, f"{ms(forward):.1f}", f"{ms(panel_ms):.1f}", f"{ms(paint):.1f}",
             f"{total / ms(forward):.2f}", f"{ms(forward_cpu):.0f} / {ms(panel_cpu):.0f}",
             f"{ms(panel_cpu) / ms(forward_cpu):.2f}"]]
    print("attention", rows[-1], flush=True)
    return rows, n


# -- 3. generation -------------------------------------------------------------------------
_STOCK: dict[str, Any] = {}


def plain_generate(hub: EngineHub, prompt: str, n: int) -> tuple[float, float]:
    """Tokens per wall second and per CPU second (all threads) of model.generate, on a
    model of its own as transformers loads it (the engine re-lays out its model's
    weights for its decode step, which would also speed up generate)."""
    import torch

    from tutor.engine import Engine

    if "m" not in _STOCK:
        # decode "torch" loads the model as transformers lays it out (no BLAS layout)
        stock = Engine(hub.decoder().name, Settings.build({"decode": "torch"}))
        stock.load()
        _STOCK["m"] = stock._get()  # noqa: SLF001
    m = _STOCK["m"]
    enc = m.tokenizer(prompt, return_tensors="pt").to(m.device)
    with torch.inference_mode():
        t, c = time.perf_counter(), time.process_time()
        out = m.model.generate(**enc, max_new_tokens=n, min_new_tokens=n, do_sample=False)
        dt, dc = time.perf_counter() - t, time.process_time() - c
    made = out.shape[1] - enc["input_ids"].shape[1]
    return made / dt, made / dc


async def bench_generation(hub: EngineHub, new_tokens: int,
                           repeats: int) -> list[list[str]]:
    app = Host(GenerationPanel, hub, {"prompt": GEN_PROMPT, "max_new_tokens": new_tokens})
    panel_rates, engine_rates, plain_rates, counts = [], [], [], []
    panel_cpu_rates, plain_cpu_rates = [], []
    async with app.run_test(size=(160, 60)):
        await settle(app)
        panel = app.query_one(GenerationPanel)
        plain_generate(hub, GEN_PROMPT, 4)  # warm-up of both paths
        panel.action_generate()
        await wait_for(app, lambda: panel.runs >= 1)
        for r in range(repeats):
            runs = panel.runs
            t, c = time.perf_counter(), time.process_time()
            panel.action_generate()
            await wait_for(app, lambda n=runs: panel.runs > n)
            wall, cpu = time.perf_counter() - t, time.process_time() - c
            result = panel.last[True]
            counts.append(len(result.tokens))
            panel_rates.append(len(result.tokens) / wall)
            panel_cpu_rates.append(len(result.tokens) / cpu)
            engine_rates.append(result.tokens_per_s)
            rate, cpu_rate = plain_generate(hub, GEN_PROMPT, len(result.tokens))
            plain_rates.append(rate)
            plain_cpu_rates.append(cpu_rate)
            print(f"generation run {r}: panel {panel_rates[-1]:.1f} tok/s, plain generate "
                  f"{plain_rates[-1]:.1f} tok/s ({counts[-1]} tokens)", flush=True)
    rows = [[f"{statistics.median(counts):.0f}", f"{ms(plain_rates):.1f}",
             f"{ms(engine_rates):.1f}", f"{ms(panel_rates):.1f}",
             f"{ms(panel_rates) / ms(plain_rates):.2f}",
             f"{ms(panel_cpu_rates) / ms(plain_cpu_rates):.2f}"]]
    return rows


# -- report --------------------------------------------------------------------------------
def table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|",
            *["| " + " | ".join(r) + " |" for r in rows], ""]




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--only", choices=["tokenizer"],
                        help="run one section and print its table (RESULTS.md untouched)")
    args = parser.parse_args()
    presses, repeats = (10, 3) if args.quick else (30, 5)
    if args.only == "tokenizer":
        only_tokenizer(presses)
        return

    info = machine.describe()
    hub = EngineHub(Settings.build({"decoder": "smollm2", "encoder": "minilm"}))
    hub.decoder().load()
    hub.encoder().load()
    facts = hub.decoder().facts
    tok_rows = asyncio.run(bench_tokenizer(hub, [100, 500, 2000], presses))
    att_rows, _ = asyncio.run(bench_attention(hub, repeats))
    gen_rows = asyncio.run(bench_generation(hub, 64, max(3, repeats - 2)))

    lines = [
        "## Panels", "",
        f"Written by `python bench/bench_panels.py` on {info['date']}; machine: {info['cpu']}, "
        f"torch {info['torch']}, load average at start {info['load average at start']}. "
        f"Models: {facts.title} ({facts.dtype}, {facts.device}) and all-MiniLM-L6-v2. "
        f"Load average at the end: {machine._load_average()}. "  # noqa: SLF001
        "Medians; each panel runs in a headless Textual app, its baseline in the same process, "
        "interleaved. Wall times on a machine shared with other work include waiting for a "
        "core, so each table also gives CPU time (all threads of this process, over the same "
        "interval): what the work itself costs, and close to what an idle machine would show.",
        "",
        "### Keystroke → updated tokenizer panel (target: ratio ≤ 1, one 16 ms frame)", "",
        "Time from a key event on the text box to the panel's widgets holding the new "
        "tokenization of both tokenizers (on the UI thread once they are loaded, up to 2 000 "
        "characters), plus one "
        "full repaint of the screen (an upper bound on the frame that shows it).", "",
        *table(["chars", "decoder tokens", "answer ms", "repaint ms", "total ms",
                "ratio to 16 ms", "CPU ms", "CPU ratio to 16 ms"], tok_rows),
        "### Attention, 128-token input, all layers and heads (target: ratio ≤ 1.5)", "",
        "From the request to the drawn heat map and query bars (every layer's and head's "
        "weights computed in one forward pass), plus one repaint, against a plain forward "
        "pass of the same ids on the same model without attention outputs. Both run the "
        "transformer body only: the attention call skips the output layer (logits over the "
        "vocabulary, which the panel never shows), and so does the baseline.", "",
        *table(["tokens", "maps", "plain forward ms", "panel ms", "repaint ms",
                "ratio", "CPU ms forward / panel", "CPU ratio"], att_rows),
        "### Streaming generation in the panel (target: ratio ≥ 0.9)", "",
        "Greedy, KV cache on, same prompt and number of new tokens. The panel's rate is new "
        "tokens over the wall time from pressing Generate to the last token drawn; the "
        "engine's is its own measurement inside the worker; plain is `model.generate` with "
        "`min_new_tokens` = `max_new_tokens` = the panel's count, on a second copy of the "
        "model loaded as transformers loads it.", "",
        *table(["new tokens", "plain generate tok/s", "engine tok/s (in worker)",
                "panel tok/s (wall)", "ratio panel / plain", "CPU ratio"], gen_rows),
    ]
    write_section(args.out, "## Panels", lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
