"""Cold start of `tutor tokens ... --json` against a minimal tokenizers script.

    python bench/bench_cli.py [--runs 15]

Each run is a fresh Python process, as a learner's shell starts it. The minimal script is
five lines that load the cached tokenizer.json with the `tokenizers` library and print the
tokens as JSON: the floor for a command that tokenizes. The two are interleaved, run after
run, so a busy neighbour slows both alike; the medians and their ratio are reported
(target: `tutor tokens` at most 2× the script) in the "Command-line cold start" section of
bench/RESULTS.md, with the load average, and never asserted by a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from report import write_section  # noqa: E402

from tutor.engine.fetch import model_dir  # noqa: E402
from tutor.engine.registry import MODELS  # noqa: E402
from tutor.settings import Settings  # noqa: E402

TEXT = "The capital of France is"
TITLE = "## Command-line cold start"
MINIMAL = """\
import json, sys
from tokenizers import Tokenizer
enc = Tokenizer.from_file(sys.argv[1]).encode(sys.argv[2])
tokens = zip(enc.ids, enc.tokens, enc.offsets, enc.special_tokens_mask)
print(json.dumps([{"id": i, "text": t, "start": s, "end": e, "special": bool(m)} for i, t, (s, e), m in tokens], indent=2))
"""


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd[:4]} failed: {proc.stderr.read().decode()[-500:]}")
    return seconds, usage.ru_maxrss / 1024




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    tokenizer = model_dir(MODELS["smollm2"], Settings.load().cache_dir) / "tokenizer.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    commands = {
        "tutor tokens --json": [sys.executable, "-m", "tutor", "tokens", TEXT, "--json"],
        "minimal tokenizers script": [sys.executable, "-c", MINIMAL, str(tokenizer), TEXT],
        "python -c pass": [sys.executable, "-c", "pass"],
    }
    load = os.getloadavg()
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for cmd in commands.values():  # once each first: disk caches warm for both
        timed(cmd, env)
    for _ in range(args.runs):
        for name, cmd in commands.items():
            samples[name].append(timed(cmd, env))
    wall = {n: statistics.median(s for s, _ in runs) for n, runs in samples.items()}
    ratio = wall["tutor tokens --json"] / wall["minimal tokenizers script"]
    rows = [f"| {n} | {wall[n]:.3f} | {min(s for s, _ in runs):.3f} | "
            f"{max(m for _, m in runs):.0f} |" for n, runs in samples.items()]
    lines = [
        TITLE, "",
        f"`tutor tokens \"{TEXT}\" --json` against a minimal script that loads the cached "
        f"tokenizer.json with `tokenizers` and prints the tokens as JSON (five lines, in "
        f"bench/bench_cli.py); {args.runs} fresh processes each, interleaved; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average at start "
        f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores, at the end "
        f"{os.getloadavg()[0]:.1f}. Neither imports torch or transformers.", "",
        "| command | median s | fastest s | peak MiB |", "|---|---|---|---|", *rows, "",
        f"Ratio of medians, `tutor tokens` ÷ minimal script: **{ratio:.2f}×** (target ≤ 2×; "
        f"{'met' if ratio <= 2 else 'NOT met'} in this run).", "",
    ]
    write_section(args.out, TITLE, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
