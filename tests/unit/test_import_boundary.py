"""The UI side must be importable without torch: the first screen appears before it loads."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import sys
import tutor.engine, tutor.app.engines, tutor.course.panels, tutor.cli
from tutor.app.engines import EngineHub
hub = EngineHub()
hub.decoder()  # creating an engine must not load anything yet
heavy = sorted(m for m in ("torch", "transformers", "tokenizers") if m in sys.modules)
print(",".join(heavy))
"""


def test_engine_and_cli_import_without_torch() -> None:
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""
