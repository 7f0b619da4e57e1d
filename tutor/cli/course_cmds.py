"""`tutor` (the app), `tutor check`, `tutor progress`, `tutor reset`."""

from __future__ import annotations

import click


def run_tutor() -> None:
    from tutor.app.app import TutorApp

    TutorApp().run()


COMMANDS: list[click.Command] = []
