"""One Settings object: defaults < config file < TUTOR_* variables < flags, every source
named; `tutor config` shows them; the keymap reaches Textual; every binding id is documented."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor.cli import main
from tutor.settings import Settings, SettingsError, config_path

ROOT = Path(__file__).resolve().parents[2]


def write_config(text: str) -> Path:
    path = config_path()  # under the test's own XDG_CONFIG_HOME (tests/conftest.py)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_each_layer_overrides_the_one_below(tmp_path: Path) -> None:
    path = write_config('device = "cpu"\ndtype = "bfloat16"\ntheme = "light"\n'
                        '[keymap]\n"lesson.next" = "ctrl+n"\n')
    env = {"TUTOR_DTYPE": "fp16", "TUTOR_THEME": "dark"}
    s = Settings.load({"theme": "light", "data_dir": str(tmp_path)}, environ=env)
    assert (s.device, s.source("device")) == ("cpu", f"config file {path}")
    assert (s.dtype, s.source("dtype")) == ("float16", "TUTOR_DTYPE")  # alias resolved
    assert (s.theme, s.source("theme")) == ("light", "--theme")
    assert (s.data_dir, s.source("data_dir")) == (tmp_path, "--data-dir")
    assert (s.decode, s.source("decode")) == ("auto", "default")
    assert dict(s.keymap) == {"lesson.next": "ctrl+n"}
    assert Settings.load(environ={}).dtype == "bfloat16"  # the file alone


@pytest.mark.parametrize(("config", "env", "message"), [
    ("", {"TUTOR_DEVICE": "gpu"}, "device from TUTOR_DEVICE: unknown device 'gpu'"),
    ('decode = "fast"\n', {}, "decode from config file"),
    ('colour = "red"\n', {}, "unknown setting colour"),
    ("device = \n", {}, "is not valid TOML"),
    ('[keymap]\n"app.quit" = 3\n', {}, "keymap from config file"),
])
def test_bad_values_name_their_source(config: str, env: dict[str, str], message: str) -> None:
    write_config(config)
    with pytest.raises(SettingsError) as err:
        Settings.load(environ=env)
    assert message in str(err.value)


def test_tutor_config_shows_values_and_sources(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    monkeypatch.setenv("TUTOR_DECODE", "torch")
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "d"), "config", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)["settings"]
    assert shown["decode"] == {"value": "torch", "source": "TUTOR_DECODE"}
    assert shown["data_dir"] == {"value": str(tmp_path / "d"), "source": "--data-dir"}
    assert shown["device"] == {"value": None, "source": "default"}


def test_a_bad_setting_is_one_line_and_status_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUTOR_THEME", "sepia")
    result = CliRunner().invoke(main, ["config"])
    assert result.exit_code == 2
    assert result.stderr.strip() == ("tutor: theme from TUTOR_THEME: 'sepia' is not one of "
                                     "dark, light")


def test_data_dir_flag_does_not_touch_the_environment(tmp_path: Path) -> None:
    import os

    before = os.environ.get("TUTOR_DATA_DIR")
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "p"), "progress", "--json"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "p" / "progress.sqlite3").exists()
    assert os.environ.get("TUTOR_DATA_DIR") == before


async def test_the_keymap_remaps_a_binding(monkeypatch: pytest.MonkeyPatch) -> None:
    from tutor.app.app import TutorApp
    from tutor.app.screens.help import HelpScreen

    fixtures = ROOT / "tests" / "fixtures" / "lessons"
    settings = Settings.build({"lessons_dir": str(fixtures), "decoder": "tiny-llama",
                               "encoder": "tiny-bert", "keymap": {"app.help": "ctrl+y"}})
    app = TutorApp(settings=settings, load_model=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")  # the default key no longer opens help
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


def binding_ids() -> set[str]:
    from textual.binding import Binding
    from textual.dom import DOMNode

    import tutor.app

    ids: set[str] = set()
    for info in pkgutil.walk_packages(tutor.app.__path__, "tutor.app."):
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, DOMNode):
                ids.update(b.id for b in obj.__dict__.get("BINDINGS", [])
                           if isinstance(b, Binding) and b.id)
    return ids


def test_every_binding_id_is_documented() -> None:
    doc = "\n".join((ROOT / "docs" / name).read_text(encoding="utf-8")
                    for name in ("settings.md", "keys.md"))
    documented = set(re.findall(r"^\| `([a-z0-9.\-_]+)`", doc, flags=re.M))
    ids = binding_ids()
    assert "lesson.next" in ids and "generation.generate" in ids
    # lab.tab1 ... lab.tabN are one row, as many as there are panels
    missing = sorted(i for i in ids if i not in documented and not re.fullmatch(r"lab\.tab\d+", i))
    assert not missing, f"add these binding ids to docs/settings.md or keys.md: {missing}"
    stale = sorted(documented - ids - {"lab.tab1"})
    assert not stale, f"docs list binding ids that no longer exist: {stale}"


def test_nothing_below_the_cli_and_the_app_reads_the_environment() -> None:
    """Settings are passed down: the engine, the course and the exercises never read
    os.environ (copying it whole for a child process passes it on, and is allowed)."""
    readers = sorted(
        str(path.relative_to(ROOT)) for path in (ROOT / "tutor").rglob("*.py")
        if path.name != "settings.py" and not path.is_relative_to(ROOT / "tutor" / "cli")
        and not path.is_relative_to(ROOT / "tutor" / "app")
        and re.search(r"os\.environ(?!\))|getenv\(", path.read_text(encoding="utf-8")))
    assert readers == []
