"""`tutor config`: the effective settings and where each came from."""

from __future__ import annotations

import click

from tutor.cli.output import json_option, print_json, settings
from tutor.i18n import _


@click.command("config")
@json_option()
def config(as_json: bool) -> None:
    """Show every setting, its value and where it came from (default, config file,
    TUTOR_* variable or flag). The settings are described in docs/settings.md."""
    from tutor.settings import config_path, help_text, source_text

    s = settings()
    if as_json:
        print_json({"config_file": str(config_path()), "settings": s.to_dict()})
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=_("settings"), caption=_("config file: {path}").format(path=config_path()),
                  caption_justify="left")
    for col in (_("setting"), _("value"), _("from"), _("meaning")):
        table.add_column(col, overflow="fold")
    for name, value, source in s.rows():
        table.add_row(name, value or _("(auto)"), source_text(source),
                      help_text(name.split(".")[0]))
    Console().print(table)


COMMANDS: list[click.Command] = [config]
