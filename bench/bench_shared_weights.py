"""Shared weights: the memory of each extra tutor process with SmolLM2 loaded, and the load
time, with the BLAS layout memory-mapped from the model cache against built in memory.

Works on a private copy of the cached SmolLM2 folder (hard links to the same files, so the
same page cache), so the run builds its own layout file and leaves the real cache alone.
Every load is a fresh process that imports torch and transformers first (not timed), times
`Engine.load()`, then generates two greedy tokens (the BLAS step reads every matrix) and
waits. Three ways to load:

- **in memory**: the layout built in the process's own memory (what every load did before
  the layout file; here by giving the loader no file);
- **building**: no layout file yet: built, written, then mapped (the first load after a fetch);
- **mapped**: the file is there: mapped (every later load).

Memory: --processes processes one after another, each kept running, for in memory and for
mapped; after each start, /proc/<pid>/smaps_rollup of every one. The section "Shared
weights" of bench/RESULTS.md is replaced (--print-only prints it instead).

    .venv/bin/python bench/bench_shared_weights.py [--processes 4] [--reps 3] [--print-only]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from report import write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SECTION = "## Shared weights"
MODES = ("in memory", "building", "mapped")
CHILD = """
import json, sys, time
# imported before the clock starts, the same for every way: on a busy machine transformers'
# lazy imports inside from_pretrained take most of a load and would bury the difference
import torch, transformers
import transformers.core_model_loading, transformers.modeling_utils
import transformers.models.llama.modeling_llama
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
from tutor.engine import Engine, loading
from tutor.engine.decode import blas
from tutor.engine.types import GenerationSettings
from tutor.settings import Settings
if sys.argv[1] == "in memory":
    loading.fetch.prepared = lambda *args: None  # no layout file: the layout in memory
lay_out, layout_s = blas.lay_out, []
def timed(*args):
    started = time.perf_counter()
    try:
        return lay_out(*args)
    finally:
        layout_s.append(time.perf_counter() - started)
blas.lay_out = timed
engine = Engine("smollm2", Settings.build({"device": "cpu", "cache_dir": sys.argv[2]}))
started = time.perf_counter()
engine.load()
load_s = time.perf_counter() - started
engine.generate("The capital of France is", GenerationSettings(max_new_tokens=2))
print(json.dumps({"load_s": load_s, "layout_s": layout_s[0]}), flush=True)
sys.stdin.read()
"""
FIELDS = ("Rss", "Pss", "Private_Clean", "Private_Dirty", "Shared_Clean", "Shared_Dirty")


def _copy_cache(cache: Path) -> Path:
    """A cache holding SmolLM2's files as hard links (the same inodes, so the same stamp
    and page cache), without the real cache's layout file."""
    from tutor.engine.fetch import PREPARED, model_dir
    from tutor.engine.registry import MODELS
    from tutor.settings import Settings

    source = model_dir(MODELS["smollm2"], Settings.load().cache_dir)
    target = model_dir(MODELS["smollm2"], cache)
    target.mkdir(parents=True)
    for path in source.iterdir():
        if path.is_file() and path.name != PREPARED and not path.name.endswith(".partial"):
            try:
                os.link(path, target / path.name)
            except OSError:
                shutil.copy2(path, target / path.name)
    return target / PREPARED


def _rollup(pid: int) -> dict[str, float]:
    """/proc/<pid>/smaps_rollup in MiB: the fields above, and USS (private pages)."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        head = line.split()
        if len(head) == 3 and head[0].rstrip(":") in FIELDS:
            values[head[0].rstrip(":")] = int(head[1]) / 1024
    values["USS"] = values["Private_Clean"] + values["Private_Dirty"]
    values["Shared"] = values["Shared_Clean"] + values["Shared_Dirty"]
    return values


def _start(mode: str, cache: Path) -> tuple[subprocess.Popen[str], dict[str, float]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("TUTOR_DECODE", "TUTOR_DTYPE", "TUTOR_DEVICE", "TUTOR_CACHE_DIR"):
        env.pop(name, None)
    p = subprocess.Popen([sys.executable, "-c", CHILD, mode, str(cache)], env=env, text=True,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout is not None
    line = p.stdout.readline()
    if not line.strip():
        raise RuntimeError(f"{mode}: the process did not load:\n{p.communicate()[1][-3000:]}")
    return p, json.loads(line)


def _stop(processes: list[subprocess.Popen[str]]) -> None:
    for p in processes:
        p.kill()
        p.communicate()


def _load_times(cache: Path, layout: Path, reps: int) -> dict[str, list[dict[str, float]]]:
    times: dict[str, list[dict[str, float]]] = {m: [] for m in MODES}
    for rep in range(reps):
        for mode in MODES:  # interleaved, so a neighbour's burst falls on all three
            if mode == "building":
                layout.unlink(missing_ok=True)
            p, took = _start(mode, cache)
            _stop([p])
            if mode == "building" and not layout.exists():
                raise RuntimeError("the building load wrote no layout file")
            times[mode].append(took)
            print(f"rep {rep + 1} {mode}: {took}", flush=True)
    return times


def _memory(cache: Path, mode: str, n: int) -> list[dict[str, float]]:
    """Start `n` processes one after another; after each, the newest one's memory and the
    PSS of all of them together."""
    running: list[subprocess.Popen[str]] = []
    rows = []
    try:
        for k in range(1, n + 1):
            running.append(_start(mode, cache)[0])
            newest = _rollup(running[-1].pid)
            newest["all_pss"] = sum(_rollup(p.pid)["Pss"] for p in running)
            newest["n"] = k
            rows.append(newest)
            print(f"{mode} {k}: {newest}", flush=True)
    finally:
        _stop(running)
    return rows


def _load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def report(times: dict[str, list[dict[str, float]]], memory: dict[str, list[dict[str, float]]],
           machine: dict[str, str], layout_mib: float) -> list[str]:
    lines = [SECTION, "",
             "Written by `python bench/bench_shared_weights.py`; every number below comes from "
             "one run. Each load is a fresh tutor process loading SmolLM2-135M-Instruct in "
             "float32 (decode auto: the BLAS step) and generating two greedy tokens, so every "
             "matrix has been read. *in memory*: the BLAS layout built in the process's own "
             "memory, as every load did before the layout file; *mapped*: the layout "
             f"memory-mapped from `blas-layout.bin` ({layout_mib:.0f} MiB) in the model cache, "
             "shared by all processes through the page cache; *building*: the first load "
             "after a fetch, which builds, writes and maps that file. Memory from "
             "/proc/<pid>/smaps_rollup, in MiB: USS = Private_Clean + Private_Dirty (pages "
             "only this process maps); PSS splits each shared page among the processes "
             "mapping it, so the processes' PSS adds up to what they take together.", ""]
    lines += [f"- **{k}**: {v}" for k, v in machine.items()]
    lines += ["", "### Memory of each process, one started after another", "",
              "| layout | process | its RSS | its PSS | its USS | its shared | all processes' "
              "PSS | added by this process | added ÷ first process |",
              "|---|---|---|---|---|---|---|---|---|"]
    summary = {}
    for mode, rows in memory.items():
        first = rows[0]["all_pss"]
        previous = 0.0
        added_all = []
        for r in rows:
            added = r["all_pss"] - previous
            previous = r["all_pss"]
            if r["n"] > 1:
                added_all.append(added)
            lines.append(f"| {mode} | {r['n']:.0f} | {r['Rss']:.0f} | {r['Pss']:.0f} | "
                         f"{r['USS']:.0f} | {r['Shared']:.0f} | {r['all_pss']:.0f} | "
                         f"{added:.0f} | {added / first:.0%} |")
        summary[mode] = (first, statistics.median(added_all) if added_all else float("nan"))
    lines.append("")
    (mem_first, mem_extra), (map_first, map_extra) = summary["in memory"], summary["mapped"]
    lines += [
        f"Each extra process adds **{map_extra:.0f} MiB** with the layout mapped "
        f"({map_extra / map_first:.0%} of the first process's {map_first:.0f} MiB; target "
        f"under 40%: {'met' if map_extra / map_first < 0.4 else 'NOT met'}), against "
        f"{mem_extra:.0f} MiB with it in memory ({mem_extra / mem_first:.0%} of "
        f"{mem_first:.0f} MiB). Added = the growth of all processes' PSS when it started "
        "(median over the extra processes).", ""]
    lines += ["### Load time (torch and transformers already imported)", "",
              "`Engine.load()` whole, and its layout step alone (`blas.lay_out`: fill the "
              "arena in memory; build, write and map the file; or check and map it). Each "
              "rep runs the three ways one after another.", "",
              "| layout | load s, each rep | load median s | ÷ in memory | layout step s, "
              "each rep | layout step median s | ÷ in memory |",
              "|---|---|---|---|---|---|---|"]
    base = {k: statistics.median(t[k] for t in times["in memory"])
            for k in ("load_s", "layout_s")}
    for mode in MODES:
        cells = []
        for key, digits in (("load_s", 2), ("layout_s", 3)):
            values = [t[key] for t in times[mode]]
            median = statistics.median(values)
            cells += [" ".join(f"{v:.{digits}f}" for v in values), f"{median:.{digits}f}",
                      f"{median / base[key]:.2g}×"]
        lines.append(f"| {mode} | " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--print-only", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    machine = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
               "cpu cores": str(os.cpu_count()),
               "load average at start": _load_average()}
    with tempfile.TemporaryDirectory(prefix="bench-shared-") as tmp:
        cache = Path(tmp) / "cache"
        layout = _copy_cache(cache)
        times = _load_times(cache, layout, args.reps)
        layout_mib = layout.stat().st_size / 2**20
        memory = {mode: _memory(cache, mode, args.processes) for mode in ("in memory", "mapped")}
    machine["load average at end"] = _load_average()
    lines = report(times, memory, machine, layout_mib)
    if args.print_only:
        print("\n".join(lines))
    else:
        write_section(args.out, SECTION, lines)
        print(f"wrote the shared-weights section of {args.out}")


if __name__ == "__main__":
    main()
