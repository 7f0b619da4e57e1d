"""bench/RESULTS.md: the machine, then one table per section, written in one go.

The "Panels" section (appended by the panels' own benchmark) and anything after it is
kept when the file is rewritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

KEEP_FROM = "## Panels"


class Report:
    def __init__(self, path: Path, part: bool = False) -> None:
        """`part`: sections measured early but written later, added with `extend`."""
        self.path = path
        self.lines: list[str] = [] if part else [
            "# Benchmark results", "",
            "Written by `python bench/run_bench.py` (`make bench`); every number below comes "
            "from the same run.", ""]
        self.data: dict[str, Any] = {}

    def machine(self, info: dict[str, str]) -> None:
        self.lines += ["## Machine", ""]
        self.lines += [f"- **{k}**: {v}" for k, v in info.items()]
        self.lines.append("")

    def section(self, title: str, text: str = "") -> None:
        self.lines += [f"## {title}", ""]
        if text:
            self.lines += [text, ""]

    def text(self, text: str) -> None:
        self.lines += [text, ""]

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        self.lines.append("| " + " | ".join(header) + " |")
        self.lines.append("|" + "|".join("---" for _ in header) + "|")
        self.lines += ["| " + " | ".join(r) + " |" for r in rows]
        self.lines.append("")
        print("\n".join(self.lines[-len(rows) - 3:]), flush=True)

    def extend(self, part: Report) -> None:
        self.lines += part.lines

    def footer(self, text: str) -> None:
        self.lines += [text, ""]

    def write(self) -> None:
        kept = ""
        if self.path.exists():
            old = self.path.read_text()
            at = old.find(KEEP_FROM)
            if at >= 0:
                kept = old[at:]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = "\n".join(self.lines).rstrip() + "\n"
        self.path.write_text(body + ("\n" + kept if kept else ""))


def write_section(path: Path, title: str, lines: list[str]) -> None:
    """Replace (or add at the end) the section headed `title`, leaving the others as they are."""
    old = path.read_text() if path.exists() else "# Benchmark results\n"
    body = "\n".join(lines).rstrip() + "\n"
    start = old.find(title)
    if start < 0:
        path.write_text(old.rstrip() + "\n\n" + body)
        return
    nxt = old.find("\n## ", start + 1)
    rest = old[nxt + 1:] if nxt >= 0 else ""
    path.write_text(old[:start] + body + ("\n" + rest if rest else ""))
