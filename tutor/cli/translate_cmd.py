"""`tutor translate`: the project's own encoder-decoder."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
