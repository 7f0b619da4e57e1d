"""The example lesson in lessons/README.md is complete and valid, so authors can copy it."""

from __future__ import annotations

import re
from pathlib import Path

from tutor.course.loader import load_lesson

GUIDE = Path(__file__).resolve().parents[2] / "lessons" / "README.md"


def test_the_guide_example_is_a_valid_lesson(tmp_path: Path) -> None:
    blocks = re.findall(r"^```yaml\n(.*?)^```$", GUIDE.read_text(), flags=re.S | re.M)
    assert len(blocks) == 1
    path = tmp_path / "01-example.yaml"
    path.write_text(blocks[0])
    entry = load_lesson(path)
    assert entry.errors == []
    assert entry.lesson is not None
    assert {s.kind for s in entry.lesson.steps} == {"read", "quiz", "panel", "task"}
    assert {getattr(s, "type", None) for s in entry.lesson.steps} >= {"single", "multiple",
                                                                      "short"}
