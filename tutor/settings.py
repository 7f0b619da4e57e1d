"""One frozen `Settings` object, built once where the program starts and passed down.

Each value comes from the first of these that sets it, in rising priority:

1. the defaults below;
2. the user's config file, `config.toml` in the platform's config directory
   (`~/.config/llm-tutor/config.toml` on Linux; see `config_path()`);
3. `TUTOR_*` environment variables;
4. command-line flags.

Only the command line (`tutor.cli`) and the app's entry point read the environment, here;
everything below them receives a `Settings` (or the few values it needs). `tutor config`
prints the effective settings and where each came from. docs/settings.md lists every
setting and every key binding id the `[keymap]` table may remap.

Importing this module imports neither torch nor pydantic: every command builds a Settings,
and `tutor tokens` must start fast.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from tutor.i18n import LANGUAGES as LANGUAGE_NAMES
from tutor.i18n import N_, _, ngettext
from tutor.i18n import normalise as normalise_language
from tutor.paths import APP_NAME, default_cache_dir, default_data_dir, default_lessons_dir

DTYPES = ("float32", "bfloat16", "float16", "int8")
DTYPE_ALIASES = {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16", "half": "float16",
                 "qint8": "int8"}
# How a decode step runs (see tutor.engine.decode.steppers): "auto" picks the fastest
# stepper that reproduces the model's own forward.
DECODES = ("auto", "blas", "torch", "transformers")
THEMES = ("dark", "light")
LANGUAGES = tuple(LANGUAGE_NAMES)  # the languages with a catalog (tutor/locale)

# setting name -> environment variable
ENV: dict[str, str] = {
    "device": "TUTOR_DEVICE",
    "dtype": "TUTOR_DTYPE",
    "decode": "TUTOR_DECODE",
    "data_dir": "TUTOR_DATA_DIR",
    "lessons_dir": "TUTOR_LESSONS_DIR",
    "cache_dir": "TUTOR_CACHE_DIR",
    "language": "TUTOR_LANG",
    "theme": "TUTOR_THEME",
    "decoder": "TUTOR_DECODER",
    "encoder": "TUTOR_ENCODER",
    "seq2seq": "TUTOR_SEQ2SEQ",
}

# each setting's meaning, a catalog message: shown through `help_text`
HELP: dict[str, str] = {
    "device": N_("cpu, cuda, cuda:N or mps; empty means CUDA when available, else the CPU"),
    "dtype": N_("precision of the decoder's weights: {choices}"),
    "decode": N_("the decode step: {choices} (auto: the fastest exact one)"),
    "data_dir": N_("where progress is stored"),
    "lessons_dir": N_("the course's lesson files"),
    "cache_dir": N_("model weights and converted caches"),
    "language": N_("the course language: {choices}; empty means the last one chosen in the "
                   "app, else the system locale, else en"),
    "theme": N_("{choices}; empty means the last one chosen in the app"),
    "decoder": N_("the decoder-only model of the panels (a name from `tutor models`)"),
    "encoder": N_("the encoder model of the embeddings panel"),
    "seq2seq": N_("the encoder-decoder model of the prediction loop"),
    "keymap": N_("binding id -> keys, e.g. \"lesson.next\" = \"ctrl+n\" (docs/settings.md)"),
}
_CHOICES = {"dtype": DTYPES, "decode": DECODES, "language": LANGUAGES, "theme": THEMES}


def help_text(name: str) -> str:
    """What setting `name` means, in the learner's language ("" for none)."""
    if name not in HELP:
        return ""
    return _(HELP[name]).format(choices=", ".join(_CHOICES.get(name, ())))


def source_text(source: str) -> str:
    """Where a value came from, for people: "default" and "config file PATH" in words;
    variable and flag names as they are. (`Settings.sources` keeps the English, for JSON.)"""
    if source == "default":
        return _("default")
    if source.startswith(_CONFIG_SOURCE):
        return _("config file {path}").format(path=source.removeprefix(_CONFIG_SOURCE))
    return source


_CONFIG_SOURCE = "config file "


class SettingsError(ValueError):
    """A setting has a value the tutor cannot use; the message names where it came from."""


def config_path() -> Path:
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


@dataclass(frozen=True, slots=True)
class Settings:
    device: str | None = None
    dtype: str = "float32"
    decode: str = "auto"
    data_dir: Path = field(default_factory=default_data_dir)
    lessons_dir: Path = field(default_factory=default_lessons_dir)
    cache_dir: Path = field(default_factory=default_cache_dir)
    language: str | None = None
    theme: str | None = None
    decoder: str = "smollm2"
    encoder: str = "minilm"
    seq2seq: str = "dates"
    keymap: Mapping[str, str] = field(default_factory=dict)
    # setting name -> where its value came from ("default", "config file", "TUTOR_X", "--x")
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def load(cls, flags: Mapping[str, Any] | None = None,
             environ: Mapping[str, str] | None = None,
             config: Path | None = None) -> Settings:
        """Defaults < config file < TUTOR_* variables < `flags` (None values are not set)."""
        environ = os.environ if environ is None else environ
        path = config or config_path()
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for name, value in _read_config(path).items():
            values[name], sources[name] = value, f"{_CONFIG_SOURCE}{path}"
        for name, var in ENV.items():
            raw = environ.get(var)
            if raw is not None and raw.strip() != "":
                values[name], sources[name] = raw.strip(), var
        for name, value in (flags or {}).items():
            if value is not None:
                values[name], sources[name] = value, f"--{name.replace('_', '-')}"
        return cls.build(values, sources)

    @classmethod
    def build(cls, values: Mapping[str, Any], sources: Mapping[str, str] | None = None) -> Settings:
        """Settings from raw values (strings allowed), checked; errors name the source."""
        sources = dict(sources or {})
        clean: dict[str, Any] = {}
        for name, value in values.items():
            where = sources.get(name, "a setting")
            try:
                clean[name] = _parse(name, value)
            except SettingsError as err:
                raise SettingsError(_("{name} from {where}: {problem}").format(
                    name=name, where=source_text(where), problem=err)) from None
        for f in fields(cls):
            if f.name != "sources":
                sources.setdefault(f.name, "default")
        return cls(**clean, sources=sources)

    def with_flags(self, **flags: Any) -> Settings:
        """A copy with command-line values applied (None means the flag was not given)."""
        given = {k: v for k, v in flags.items() if v is not None}
        if not given:
            return self
        clean = {}
        for name, value in given.items():
            try:
                clean[name] = _parse(name, value)
            except SettingsError as err:
                raise SettingsError(f"--{name.replace('_', '-')}: {err}") from None
        sources = dict(self.sources)
        sources.update({k: f"--{k.replace('_', '-')}" for k in clean})
        return replace(self, **clean, sources=sources)

    @property
    def progress_path(self) -> Path:
        return self.data_dir / "progress.sqlite3"

    def source(self, name: str) -> str:
        return self.sources.get(name, "default")

    def rows(self) -> list[tuple[str, str, str]]:
        """(name, value as text, source) for every setting, keymap entries one per row."""
        out = []
        for f in fields(self):
            if f.name in ("sources", "keymap"):
                continue
            value = getattr(self, f.name)
            out.append((f.name, "" if value is None else str(value), self.source(f.name)))
        for binding, keys in sorted(self.keymap.items()):
            out.append((f"keymap.{binding}", keys, self.source("keymap")))
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: {name: {"value": ..., "source": ...}}, keymap as one table."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "sources":
                continue
            value = getattr(self, f.name)
            value = (str(value) if isinstance(value, Path)
                     else dict(value) if f.name == "keymap" else value)
            out[f.name] = {"value": value, "source": self.source(f.name)}
        return out


def _read_config(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise SettingsError(_("cannot read the config file {path}: {error}").format(
            path=path, error=err)) from None
    except tomllib.TOMLDecodeError as err:
        raise SettingsError(_("the config file {path} is not valid TOML: {error}").format(
            path=path, error=err)) from None
    known = {f.name for f in fields(Settings)} - {"sources"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise SettingsError(ngettext(
            "the config file {path} has unknown setting {unknown}; known: {known}",
            "the config file {path} has unknown settings {unknown}; known: {known}",
            len(unknown)).format(path=path, unknown=", ".join(unknown),
                                 known=", ".join(sorted(known))))
    return data


def _parse(name: str, value: Any) -> Any:
    if name == "keymap":
        if not isinstance(value, Mapping) or not all(
                isinstance(k, str) and isinstance(v, str) and v.strip()
                for k, v in value.items()):
            raise SettingsError(_("must be a table of binding id = \"keys\" strings"))
        return {k: v.strip() for k, v in value.items()}
    if not isinstance(value, str | Path):
        raise SettingsError(_("must be text, not {kind} {value}").format(
            kind=type(value).__name__, value=repr(value)))
    text = str(value).strip()
    if name in ("data_dir", "lessons_dir", "cache_dir"):
        if not text:
            raise SettingsError(_("is empty: give a directory"))
        return Path(text).expanduser()
    if name == "device":
        if text in ("", "auto"):
            return None
        from tutor.engine.errors import BadInput
        from tutor.engine.limits import check_device

        try:
            return check_device(text)
        except BadInput as err:
            raise SettingsError(str(err)) from None
    if name == "dtype":
        text = DTYPE_ALIASES.get(text.lower(), text.lower())
        return _choice(text, DTYPES)
    if name == "decode":
        return _choice(text.lower(), DECODES)
    if name == "theme":
        return None if text == "" else _choice(text.lower(), THEMES)
    if name == "language":
        if text == "":
            return None
        code = normalise_language(text)  # ko_KR.UTF-8, ko-KR and KO all mean ko
        if code is None:
            raise SettingsError(_(_NOT_ONE_OF).format(value=repr(text),
                                                   choices=", ".join(LANGUAGES)))
        return code
    if name in ("decoder", "encoder", "seq2seq"):
        if not text:
            raise SettingsError(_("is empty: give a model name from `tutor models`"))
        return text
    raise SettingsError(_("unknown setting {name}").format(name=repr(name)))


def _choice(text: str, choices: tuple[str, ...]) -> str:
    if text not in choices:
        raise SettingsError(_(_NOT_ONE_OF).format(value=repr(text), choices=", ".join(choices)))
    return text


_NOT_ONE_OF = N_("{value} is not one of {choices}")
