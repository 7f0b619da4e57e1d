"""The first screen is up before torch is imported; the model loads behind it.

This runs in a fresh interpreter: other tests in this process may already have imported
torch, which would make an in-process check meaningless.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import asyncio, json, sys
from tutor.app.app import TutorApp
from tutor.app.screens.map import MapScreen

async def main():
    app = TutorApp()
    out = {}
    async with app.run_test() as pilot:
        out["first_screen"] = type(app.screen).__name__
        out["torch_at_first_screen"] = "torch" in sys.modules
        out["transformers_at_first_screen"] = "transformers" in sys.modules
        out["rows"] = app.screen.query_one("#lessons").row_count
        await pilot.pause(app.MODEL_LOAD_DELAY + 0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        out["torch_after_load"] = "torch" in sys.modules
        out["model_state"] = list(app.model_state)
    print(json.dumps(out))

asyncio.run(main())
"""


def test_first_screen_before_torch_then_model_ready(course_env: Path, tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["first_screen"] == "MapScreen" and out["rows"] == 2
    assert out["torch_at_first_screen"] is False
    assert out["transformers_at_first_screen"] is False
    # the check above can fail: once the worker has loaded the model, torch is there
    assert out["torch_after_load"] is True
    assert out["model_state"][0] == "ready"
