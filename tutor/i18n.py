"""The app's own words in the learner's language, through the standard gettext machinery.

Catalogs live in tutor/locale/<lang>/LC_MESSAGES/tutor.po; `make catalogs` extracts the
messages with Babel and compiles the .mo files that gettext reads (both are committed, and
tests/unit/test_catalogs.py fails when they fall out of step with the code).
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Mapping
from pathlib import Path

DOMAIN = "tutor"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT = "en"
LANGUAGES = {"en": "English", "ko": "한국어"}

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = DEFAULT


def normalise(value: str | None) -> str | None:
    """`ko_KR.UTF-8`, `ko-KR` or `KO` -> `ko`; None for anything we have no catalog for."""
    if not value:
        return None
    code = value.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else None


def from_locale(environ: Mapping[str, str]) -> str | None:
    """The language of the system locale, in POSIX precedence (LC_ALL, LC_MESSAGES, LANG)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            # the first variable that is set decides, even when it names a language we lack
            return normalise(value)
    return None


def use(language: str) -> None:
    """Switch every later `_()` to `language` (English when there is no catalog for it)."""
    global _translation, _language
    code = normalise(language) or DEFAULT
    _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)
    _language = code


def current() -> str:
    return _language


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined; translate it with `_()` where shown."""
    return message


def resolve(flag: str | None, environ: Mapping[str, str],
            saved: str | None | Callable[[], str | None]) -> str:
    """The language to show: --lang, then TUTOR_LANG, then the learner's saved choice, then
    the system locale, then English. A value we have no catalog for is passed over.

    `saved` may be a function that reads the choice: it is called only when neither the flag
    nor TUTOR_LANG decides, so a command given --lang never opens the progress store."""
    for candidate in (flag, environ.get("TUTOR_LANG")):
        code = normalise(candidate)
        if code:
            return code
    code = normalise(saved() if callable(saved) else saved)
    return code or from_locale(environ) or DEFAULT
