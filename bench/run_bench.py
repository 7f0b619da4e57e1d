"""The tutor's benchmark: every ratio measured in one process run, engines interleaved.

    python bench/run_bench.py            # the full run; writes bench/RESULTS.md
    python bench/run_bench.py --quick    # a smoke run at small sizes; writes bench/out/

Sections: the engine's streamed generation vs `model.generate` vs llama.cpp on the same
GGUF (with the memory-bandwidth ceiling) and the reduced-precision opt-ins, the KV cache's
speed-up, the cost of returning attentions, and weight loading. Interleaving the engines
within each size means a busy neighbour slows all of them alike.

On a busy machine the run keeps to --budget seconds: sizes are measured smallest first
and a measurement projected to overrun the budget is skipped and marked as skipped in
RESULTS.md, never estimated.
"""

from __future__ import annotations

import argparse
import gc
import os
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
from engines import Run, run_engine, run_generate, run_llamacpp  # noqa: E402
from report import Report  # noqa: E402
from weights import gguf_bytes_per_token, gguf_path, torch_bytes_per_token  # noqa: E402

PROMPT = "The history of the printing press"
ATTENTION_TEXT = ("The teacher explained to the students that attention lets every token look "
                  "back at the tokens before it, and that each head learns its own pattern. ") * 2
THREADS = 2
BASE = "model.generate float32"
ENGINE = "engine float32"
TORCH_STEP = "engine float32, torch step"
LLAMA = "llama.cpp Q4_1"


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    value = fn()
    return time.perf_counter() - t, value


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


class Clock:
    """The run's time budget."""

    def __init__(self, budget_s: float) -> None:
        self.start = time.perf_counter()
        self.budget_s = budget_s

    @property
    def left(self) -> float:
        return self.budget_s - (time.perf_counter() - self.start)

    def allows(self, seconds: float) -> bool:
        return seconds < self.left


def _engine_at(dtype: str, decode: str = "auto") -> Any:
    from tutor.engine import Engine
    from tutor.settings import Settings

    engine = Engine("smollm2", Settings.build({"dtype": dtype, "decode": decode}))
    engine.load()
    return engine


class SideBySide:
    """Every engine loaded once; `measure(n)` runs them all, interleaved, at n new tokens."""

    def __init__(self, with_llamacpp: bool, precisions: list[str], max_tokens: int,
                 precision_max: int) -> None:
        self.precision_max = precision_max  # the opt-in precisions are timed up to here
        self.engines: dict[str, Callable[[int], Run]] = {}
        self.bytes_per_token: dict[str, float] = {}
        self.weights_mib: dict[str, float] = {}
        self.results: dict[tuple[str, int], list[Run]] = {}
        self.bandwidth: list[float] = []
        self.notes: list[str] = []

        # the engine's BLAS step lays its model's weights out anew, so `model.generate` and
        # the torch step get a model of their own, as transformers loads it
        self.fp32 = _engine_at("float32")
        # decode "torch": the engine's torch step (the BLAS step's predecessor)
        self.stock = _engine_at("float32", decode="torch")
        m = self.stock._get()
        self.model, self.tokenizer = m.model, m.tokenizer
        self.ids = self.fp32.stream(PROMPT).input_ids
        self.pad = int(m.tokenizer.pad_token_id or 0)
        fp32_bytes = torch_bytes_per_token(m.model)
        self._add(ENGINE, lambda n: run_engine(self.fp32, PROMPT, n, ENGINE), fp32_bytes)
        self._add(BASE, lambda n: run_generate(self.model, self.ids, n, label=BASE,
                                               pad_id=self.pad), fp32_bytes)
        self._add(TORCH_STEP, lambda n: run_engine(self.stock, PROMPT, n, TORCH_STEP),
                  fp32_bytes)
        self.gguf = gguf_path(print)
        if with_llamacpp:
            try:
                from engines import load_llamacpp

                llm = load_llamacpp(self.gguf, THREADS, n_ctx=max_tokens + len(self.ids) + 8)
                self._add(LLAMA, lambda n: run_llamacpp(llm, self.ids, n),
                          gguf_bytes_per_token(self.gguf))
            except ImportError:
                self.notes.append("llama.cpp was not measured: llama-cpp-python is not "
                                  "installed (run `bench/setup_llamacpp.sh`).")
        for dtype in precisions:
            e = _engine_at(dtype)
            label = f"engine {dtype} (opt-in)"
            self._add(label, lambda n, e=e, label=label: run_engine(e, PROMPT, n, label),
                      torch_bytes_per_token(e._get().model))
        for run in self.engines.values():  # first-call allocations, lazy kernels
            run(4)

    def _add(self, name: str, run: Callable[[int], Run], bytes_per_token: float) -> None:
        self.engines[name] = run
        self.bytes_per_token[name] = bytes_per_token
        self.weights_mib[name] = bytes_per_token / 2**20

    @property
    def names(self) -> list[str]:
        return list(self.engines)

    def measure(self, n: int, reps: int) -> float:
        """Returns the seconds it took."""
        t0 = time.perf_counter()
        # the bandwidth a busy machine offers changes over the run: sample it at each size
        # and take the best, so the ceiling is never set too low
        self.bandwidth.append(max(machine.copy_bandwidth(repeats=3).values()))
        names = [name for name in self.names
                 if n <= self.precision_max or "opt-in" not in name]
        for i in range(reps):
            # rotate the order so no engine always runs right after the same neighbour
            order = names[i % len(names):] + names[: i % len(names)]
            for name in order:
                run = self.engines[name](n)
                self.results.setdefault((name, n), []).append(run)
                print(f"  n={n} {name}: {run.tokens_per_s:.2f} tok/s "
                      f"(ttft {run.ttft_s * 1000:.0f} ms)", flush=True)
        return time.perf_counter() - t0

    def best(self, name: str, n: int) -> Run:
        # the fastest repeat: on a shared machine the slower ones time the neighbours
        return max(self.results[(name, n)], key=lambda r: r.tokens_per_s)

    def measured(self, n: int) -> list[str]:
        return [name for name in self.names if (name, n) in self.results]

    def sizes(self) -> list[int]:
        return sorted({n for _, n in self.results})

    def report(self, rep: Report, skipped: list[int]) -> None:
        bw = max(self.bandwidth)
        rows = []
        for n in self.sizes():
            base = self.best(BASE, n).tokens_per_s
            for name in self.measured(n):
                run = self.best(name, n)
                ceiling = bw * 1e9 / self.bytes_per_token[name]
                rows.append([
                    str(n), name, f"{run.tokens_per_s:.2f}", f"{run.tokens_per_s / base:.2f}×",
                    f"{run.decode_tokens_per_s:.2f}", f"{run.ttft_s * 1000:.0f}",
                    f"{self.bytes_per_token[name] / 1e6:.0f}", f"{ceiling:.1f}",
                    f"{100 * run.tokens_per_s / ceiling:.0f}%",
                    f"{run.cpu_ms_per_token:.0f}",
                    f"{max(0.0, run.peak_mib):.0f}",
                ])
        reps = {n: len(self.results[(ENGINE, n)]) for n in self.sizes()}
        rep.section(
            "Side by side: engine, model.generate, llama.cpp",
            f"SmolLM2-135M-Instruct, prompt {PROMPT!r} ({len(self.ids)} tokens), greedy, "
            f"{THREADS} threads, every engine forced to the full number of new tokens; "
            f"the fastest of {', '.join(f'{r} at {n}' for n, r in reps.items())} "
            "interleaved repeats (on a shared machine the slower ones time the neighbours). "
            "tok/s counts all new tokens over the whole call (prompt included); "
            "decode tok/s leaves out the first token. Ceiling = copy bandwidth (best of "
            f"{len(self.bandwidth)} samples taken between sizes: "
            f"{', '.join(f'{b:.1f}' for b in self.bandwidth)} GB/s) ÷ bytes of weights "
            "read per token (KV-cache reads, under 1% at these lengths, left out). CPU "
            "ms/token = CPU time of all the process's threads per new token: the work "
            "each engine does, which neighbours preempting it do not inflate. Peak "
            "memory = the most resident memory the run added above its start "
            f"(weights in memory: {self.weights_mib[ENGINE]:.0f} MiB float32, "
            + (f"{self.weights_mib[LLAMA]:.0f} MiB Q4_1" if LLAMA in self.engines else "")
            + ").")
        rep.table(["new tokens", "engine", "tok/s", "vs generate", "decode tok/s", "ttft ms",
                   "MB read/token", "ceiling tok/s", "of ceiling", "CPU ms/token",
                   "peak +MiB"], rows)
        for n in skipped:
            rep.text(f"*{n} new tokens: not measured, the run's time budget would have been "
                     "exceeded on this (busy) machine.*")
        for note in self.notes:
            rep.text(f"*{note}*")
        self._agreement(rep)
        self._targets(rep, bw)

    def _agreement(self, rep: Report) -> None:
        rows = []
        for name in self.names:
            if name == ENGINE:
                continue
            for n in self.sizes():
                if (name, n) not in self.results:
                    continue
                ref, got = self.best(ENGINE, n).ids, self.best(name, n).ids
                same = next((i for i, (a, b) in enumerate(zip(ref, got, strict=False))
                             if a != b), min(len(ref), len(got)))
                rows.append([name, str(n), f"{same} / {len(ref)}",
                             "identical" if got == ref else "differs"])
        rep.section("Greedy tokens compared with the float32 engine",
                    "How many leading tokens each engine shares with the engine's float32 "
                    "output (reduced precision changes the arithmetic, so the greedy path "
                    "may part ways once two candidates are close).")
        rep.table(["engine", "new tokens", "same leading tokens", "whole output"], rows)

    def _targets(self, rep: Report, bw: float) -> None:
        sizes = self.sizes()
        at = 128 if 128 in sizes else sizes[-1]
        eng, gen = self.best(ENGINE, at), self.best(BASE, at)
        ceiling = bw * 1e9 / self.bytes_per_token[ENGINE]
        lines = [
            f"- Engine streamed vs plain `model.generate` at {at} new tokens: "
            f"**{eng.tokens_per_s / gen.tokens_per_s:.2f}×** (target ≥ 1.0×); at each size: "
            + ", ".join(f"{n}: {self.best(ENGINE, n).tokens_per_s / self.best(BASE, n).tokens_per_s:.2f}×"
                        for n in sizes) + ".",
            f"- Work per token (CPU ms, all threads) at {at} new tokens: engine "
            f"{eng.cpu_ms_per_token:.0f}, `model.generate` {gen.cpu_ms_per_token:.0f} "
            f"(**{gen.cpu_ms_per_token / eng.cpu_ms_per_token:.2f}×** less work in the engine).",
            f"- Engine float32 at {at} new tokens: **{100 * eng.tokens_per_s / ceiling:.0f}%** "
            f"of its bandwidth ceiling ({ceiling:.1f} tok/s; target ≥ 50%).",
        ]
        if TORCH_STEP in self.engines:
            old = self.best(TORCH_STEP, at)
            lines.append(
                f"- The BLAS decode step vs the torch step it replaced, at {at} new tokens: "
                f"**{eng.tokens_per_s / old.tokens_per_s:.2f}×** "
                f"({eng.tokens_per_s:.2f} vs {old.tokens_per_s:.2f} tok/s; the torch step "
                f"reaches {100 * old.tokens_per_s / ceiling:.0f}% of the ceiling).")
        for name in self.names:
            if name.startswith("engine ") and name not in (ENGINE, TORCH_STEP):
                at_p = max(n for n in sizes if (name, n) in self.results)
                run, eng_p = self.best(name, at_p), self.best(ENGINE, at_p)
                c = bw * 1e9 / self.bytes_per_token[name]
                lines.append(f"- {name} at {at_p} new tokens: "
                             f"{run.tokens_per_s / eng_p.tokens_per_s:.2f}× the float32 "
                             f"engine, {100 * run.tokens_per_s / c:.0f}% of its own ceiling.")
        if LLAMA in self.engines:
            ll = self.best(LLAMA, at)
            ratio = ll.tokens_per_s / eng.tokens_per_s
            fewer = self.bytes_per_token[ENGINE] / self.bytes_per_token[LLAMA]
            lines.append(
                f"- llama.cpp (Q4_1 GGUF) vs the float32 engine at {at} new tokens: "
                f"**{ratio:.2f}×** ({ll.tokens_per_s:.2f} vs {eng.tokens_per_s:.2f} tok/s).")
            lines.append(
                "- Where the gap comes from: llama.cpp reads "
                f"{self.bytes_per_token[LLAMA] / 1e6:.0f} MB of 4-bit weights per token "
                f"against the engine's {self.bytes_per_token[ENGINE] / 1e6:.0f} MB of float32 "
                f"({fewer:.1f}× fewer bytes, and decode speed follows bytes read), it "
                "dequantises inside fused matrix-vector kernels, and its whole step runs in "
                "C++ with no Python call per operation. The engine keeps float32 weights by "
                "default because they are the reference the panels explain; its matrix-vector "
                "products run in OpenBLAS, and between them it still makes about 40 small "
                "numpy calls per layer, over a thousand per token."
                + ("" if ratio >= 1 else
                   " In this run llama.cpp came out slower all the same: on a machine this "
                   "busy both engines' threads are preempted, and llama.cpp's threads "
                   "meet at a spinning barrier after every operation of the graph, so one "
                   "preempted thread stalls the other far more often than in torch's "
                   "fewer, larger parallel regions; on an idle machine the byte count "
                   "decides."))
        rep.section("Targets")
        rep.text("\n".join(lines))
        print("\n".join(lines), flush=True)


# -- other sections -----------------------------------------------------------------------
class KVCache:
    """`model.generate` with and without the KV cache, one size at a time."""

    def __init__(self, sbs: SideBySide, reps: int) -> None:
        self.sbs = sbs
        self.reps = reps
        self.rows: list[list[str]] = []
        self.skipped: list[int] = []
        self.last: tuple[int, float] | None = None  # (n, seconds without the cache)

    def projected(self, n: int) -> float:
        """Seconds the uncached run at n should take, from the last size measured."""
        if self.last is None:
            return 0.0
        prev_n, prev_s = self.last
        p = len(self.sbs.ids)
        return prev_s * (n / prev_n) * (p + n / 2) / (p + prev_n / 2) * 2 * self.reps

    def measure(self, n: int) -> None:
        sbs = self.sbs
        with_cache, without = [], []
        for _ in range(self.reps):
            with_cache.append(run_generate(sbs.model, sbs.ids, n, True, pad_id=sbs.pad))
            without.append(run_generate(sbs.model, sbs.ids, n, False, pad_id=sbs.pad))
        a = median([r.tokens_per_s for r in with_cache])
        b = median([r.tokens_per_s for r in without])
        self.last = (n, max(r.seconds for r in without))
        self.rows.append([str(n), f"{a:.2f}", f"{b:.2f}", f"{a / b:.1f}×"])
        print(f"  kv cache n={n}: {a:.2f} vs {b:.2f} tok/s", flush=True)

    def report(self, rep: Report) -> None:
        rep.section("The KV cache",
                    f"`model.generate`, greedy, float32, prompt of {len(self.sbs.ids)} tokens, "
                    f"forced to the full number of new tokens, {self.reps} run(s) each; "
                    "tokens/s over the whole call (prompt included). Without the cache every "
                    "step reads the whole sequence again, so the gap widens with length.")
        rep.table(["new tokens", "with KV cache (tok/s)", "without (tok/s)", "speed-up"],
                  self.rows)
        for n in self.skipped:
            rep.text(f"*{n} new tokens: not measured, the uncached run was projected to "
                     "exceed the run's time budget on this (busy) machine.*")


def bench_step_cost(rep: Report, model: Any, tokenizer: Any, lengths: list[int],
                    reps: int) -> None:
    """The cost of the next token once `length` tokens are in context, with and without
    the cache: what the KV-cache lesson's table means at each length, cheap to measure
    even where a whole uncached generation would take too long."""
    import torch

    text = ATTENTION_TEXT * 40
    all_ids = list(tokenizer(text)["input_ids"])
    rows = []
    with torch.inference_mode():
        for length in lengths:
            ids = torch.tensor([all_ids[:length]])
            cached, uncached = [], []
            for _ in range(reps):
                out = model(input_ids=ids[:, :-1], use_cache=True, logits_to_keep=1)
                past = out.past_key_values
                cached.append(timed(lambda past=past, ids=ids: model(
                    input_ids=ids[:, -1:], past_key_values=past, use_cache=True))[0])
                uncached.append(timed(lambda ids=ids: model(
                    input_ids=ids, use_cache=False, logits_to_keep=1))[0])
            a, b = min(cached), min(uncached)
            rows.append([str(length), f"{a * 1000:.0f}", f"{b * 1000:.0f}",
                         f"{1 / a:.2f}", f"{1 / b:.2f}", f"{b / a:.1f}×"])
            print(f"  step cost at {length}: {a * 1000:.0f} vs {b * 1000:.0f} ms", flush=True)
    rep.section("The KV cache: the cost of one more token",
                f"SmolLM2 float32 forward for the next token once N tokens are in context "
                f"(fastest of {reps}): with the cache one new position is computed against "
                "the stored keys and values; without it all N positions are computed again.")
    rep.table(["tokens in context", "with cache (ms)", "without (ms)", "with (tok/s)",
               "without (tok/s)", "speed-up"], rows)


def bench_attention(rep: Report, model: Any, tokenizer: Any, reps: int) -> None:
    import torch

    from tutor.engine.attention import self_attention

    ids = list(tokenizer(ATTENTION_TEXT)["input_ids"])
    x = torch.tensor([ids])
    plain, with_attn = [], []
    with torch.inference_mode():
        model(input_ids=x, use_cache=False)  # warm-up
        for _ in range(reps):
            plain.append(timed(lambda: model(input_ids=x, use_cache=False))[0])
            with_attn.append(timed(lambda: self_attention(model, ids, torch.device("cpu")))[0])
    a, b = median(plain), median(with_attn)
    rep.section("Returning attentions",
                f"One forward of SmolLM2 over {len(ids)} tokens, median of {reps}, "
                "alternating. The attention panel's call runs the transformer body only (no "
                "output layer: the panel shows no logits) and copies every layer's and "
                "head's weights to numpy; bench_panels.py compares it with a body-only "
                "forward.")
    rep.table(["forward", "time", "ratio"], [
        ["plain (eager attention, output layer included)", f"{a * 1000:.0f} ms", "1.00×"],
        ["returning attentions (the panel's call, body only)", f"{b * 1000:.0f} ms",
         f"{b / a:.2f}×"],
    ])


def bench_load(rep: Report, gguf: Path, reps: int) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from tutor.engine import MODELS
    from tutor.engine.loading import load
    from tutor.settings import Settings

    def from_gguf() -> Any:
        model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
        tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        return model, tok

    cached, direct = [], []
    for _ in range(reps):
        cached.append(timed(lambda: load(MODELS["smollm2"], Settings.build({})))[0])
        gc.collect()
        direct.append(timed(from_gguf)[0])
        gc.collect()
    a, b = median(cached), median(direct)
    rep.section("Loading SmolLM2-135M",
                f"Model and tokenizer, median of {reps}, alternating.")
    rep.table(["weights", "load time", "vs cached"], [
        ["cached safetensors (float32, what `tutor` loads)", f"{a:.2f} s", "1.0×"],
        [f"GGUF ({gguf.name}, dequantised by transformers on load)", f"{b:.2f} s",
         f"{b / a:.1f}×"],
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat")
    parser.add_argument("--no-llamacpp", action="store_true")
    parser.add_argument("--sizes", default="32,128,512")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--budget", type=float, default=3600,
                        help="seconds the run may take; later sizes are skipped past it")
    parser.add_argument("--precisions", default="bfloat16,int8",
                        help="opt-in engine precisions to add (comma list, may be empty)")
    parser.add_argument("--precision-max", type=int, default=32,
                        help="time the opt-in precisions only up to this many new tokens")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(THREADS)
    clock = Clock(args.budget)
    sizes = [8, 16] if args.quick else sorted(int(s) for s in args.sizes.split(","))
    reps = 1 if args.quick else args.reps
    out = args.out or (HERE / "out" / "RESULTS.quick.md" if args.quick else HERE / "RESULTS.md")
    precisions = [p for p in args.precisions.split(",") if p]

    rep = Report(out)
    info = machine.describe()
    bw = machine.copy_bandwidth()
    info["copy bandwidth at start"] = (
        f"{bw['torch_gbs']:.1f} GB/s with torch's {THREADS} threads, "
        f"{bw['numpy_gbs']:.1f} GB/s numpy on one core (read + write)")
    load = os.getloadavg()[0]
    if load > 0.5 * (os.cpu_count() or 1):
        info["shared"] = (f"yes: other work was running (1-minute load {load:.1f} on "
                          f"{os.cpu_count()} cores). Engines are interleaved within each size "
                          "so the ratios are fair; absolute speeds are far below an idle "
                          "machine's.")
    print("\n".join(f"{k}: {v}" for k, v in info.items()), flush=True)
    rep.machine(info)

    parts: dict[str, Report] = {k: Report(out, part=True)
                                for k in ("side", "kv", "step", "attention", "load")}

    def flush() -> None:
        final = Report(out)
        final.lines = rep.lines[:]
        for part in parts.values():
            final.extend(part)
        final.footer(f"Whole run: {time.perf_counter() - clock.start:.0f} s; 1-minute load "
                     f"average at the end {os.getloadavg()[0]:.1f}.")
        final.write()

    def guarded(name: str, fn: Callable[[], None]) -> None:
        # one section failing must not cost the others' numbers
        try:
            fn()
        except Exception as err:  # noqa: BLE001 - reported in RESULTS.md and on stderr
            import traceback

            traceback.print_exc()
            parts[name].text(f"*{name}: failed with {type(err).__name__}: {err}*")
        flush()

    print("loading engines ...", flush=True)
    sbs = SideBySide(not args.no_llamacpp, precisions, max(sizes),
                     max(sizes) if args.quick else args.precision_max)
    sbs.bandwidth.insert(0, max(bw.values()))
    kv = KVCache(sbs, 1)
    skipped: list[int] = []

    def side_report() -> None:
        parts["side"] = Report(out, part=True)
        sbs.report(parts["side"], skipped)

    def kv_report() -> None:
        parts["kv"] = Report(out, part=True)
        kv.report(parts["kv"])

    # what the targets and the KV-cache lesson read comes first, then the cheap sections,
    # the longest runs last, each only if the budget still allows it
    first = [n for n in sizes if n <= 128]
    later = [n for n in sizes if n > 128]
    spent: dict[int, float] = {}
    for n in first:
        spent[n] = sbs.measure(n, reps)
        guarded("side", side_report)
        if clock.allows(kv.projected(n) * 1.2):
            kv.measure(n)
        else:
            kv.skipped.append(n)
        guarded("kv", kv_report)
    print("step cost ...", flush=True)
    guarded("step", lambda: bench_step_cost(parts["step"], sbs.model, sbs.tokenizer, sizes,
                                            1 if args.quick else 2))
    print("attention ...", flush=True)
    guarded("attention", lambda: bench_attention(parts["attention"], sbs.model,
                                                 sbs.tokenizer, 3 if args.quick else 5))
    print("loading ...", flush=True)
    guarded("load", lambda: bench_load(parts["load"], sbs.gguf, 1))
    for n in later:
        prev = max(spent)
        projected = spent[prev] / reps * n / prev
        if clock.allows(projected * 1.2):
            spent[n] = sbs.measure(n, reps)
        else:
            skipped.append(n)
        guarded("side", side_report)
    for n in later:
        if clock.allows(kv.projected(n) * 1.2):
            kv.measure(n)
        else:
            kv.skipped.append(n)
        guarded("kv", kv_report)
    print(f"wrote {out}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
