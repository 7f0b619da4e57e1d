"""Render the model card (README.md) from the metrics the trainers wrote."""

from __future__ import annotations

import json
from pathlib import Path


def write_card(out: Path) -> None:
    # Filled in below once both trainers exist.
    metrics = json.loads((out / "metrics.json").read_text())
    (out / "README.md").write_text(f"# tutor-dates\n\n```\n{json.dumps(metrics, indent=2)}\n```\n")
