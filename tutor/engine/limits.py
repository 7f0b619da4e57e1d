"""The input policy shared by the command line, the engine's entry points and the panels.

Every check raises BadInput with one sentence a learner can act on. Nothing here imports
torch, so the command line can refuse bad input before a model loads.

- Text must be valid UTF-8. A shell hands Python undecodable bytes as lone surrogates
  (PEP 383); we reject them and name the byte offset rather than guess a repair.
- Temperatures below TEMPERATURE_FLOOR are treated as greedy: dividing float32 logits by
  1e-40 overflows to infinity, and at 1e-6 the distribution is already one-hot.
- Seeds are whole numbers that fit in 64 bits (what torch's generators accept).
- `max_new_tokens` is clamped to the room the context window leaves.
"""

from __future__ import annotations

import math
import re

from tutor.engine.errors import BadInput
from tutor.i18n import N_, _

TEMPERATURE_FLOOR = 1e-6
SEED_MAX = 2**64 - 1
DEVICE_FORMS = N_("cpu, cuda, cuda:N (N a GPU number) or mps")
_DEVICE = re.compile(r"^(cpu|mps|cuda(:\d+)?)$")


def check_text(text: object, what: str | None = None, allow_empty: bool = False) -> str:
    """`text` itself when it is a str of valid Unicode (and not blank), else BadInput.
    `what` names the input in the learner's language (default: "text")."""
    what = what or _("text")
    if not isinstance(text, str):
        raise BadInput(_("the {what} must be text, not {kind}").format(
            what=what, kind=type(text).__name__))
    bad = _first_invalid_byte(text)
    if bad is not None:
        offset, byte = bad
        raise BadInput(_("the {what} is not valid UTF-8: byte {offset} ({byte}) does not "
                         "belong to a character; convert it to UTF-8 (e.g. with iconv) and try "
                         "again").format(what=what, offset=offset, byte=f"0x{byte:02x}"))
    if not allow_empty and not text.strip():
        raise BadInput(_("the {what} is empty: give the model something to read").format(
            what=what))
    return text


def _first_invalid_byte(text: str) -> tuple[int, int] | None:
    """(byte offset, byte) of the first byte that is not UTF-8, or None when all of it is.

    Lone surrogates stand for the undecodable bytes a shell passed on (surrogateescape), or
    for a half of a pair that lost its other half; either way the tokenizer cannot take them.
    """
    try:
        text.encode("utf-8")
        return None
    except UnicodeEncodeError:
        pass
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError as err:
        # a surrogate outside the escape range: count the bytes before it as UTF-8
        prefix = text[:err.start].encode("utf-8", "surrogateescape")
        code = ord(text[err.start])
        return len(prefix), 0xE0 | (code >> 12)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start, raw[err.start]
    return None  # pragma: no cover - escaped bytes that happen to decode


def effective_temperature(temperature: float) -> tuple[float, str | None]:
    """The temperature to compute with, and a notice when it differs from the one asked for."""
    if isinstance(temperature, bool) or not isinstance(temperature, int | float):
        raise BadInput(_("temperature must be a number, not {value}").format(
            value=repr(temperature)))
    if not math.isfinite(temperature) or temperature < 0:
        raise BadInput(_("temperature must be 0 (greedy) or positive, not {value}").format(
            value=temperature))
    if 0 < temperature < TEMPERATURE_FLOOR:
        return 0.0, _("temperature {value} is below {floor}, where every distribution is "
                      "already one-hot; it is treated as 0 (greedy)").format(
            value=f"{temperature:g}", floor=f"{TEMPERATURE_FLOOR:g}")
    return float(temperature), None


def check_seed(seed: object) -> int | None:
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        raise BadInput(_("the seed must be a whole number from 0 to {max} (64 bits), "
                         "not {value}").format(max=SEED_MAX, value=seed))
    return seed


def check_count(value: object, what: str, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise BadInput(_("{what} must be a whole number of at least {low}, not {value}").format(
            what=what, low=low, value=value))
    return value


def prompt_room(max_new_tokens: int, context_length: int) -> int:
    """How many prompt tokens to keep: the window less the tokens asked for, but never less
    than half the window (a request for 10**9 tokens must not cut the prompt to nothing)."""
    return max(1, context_length - min(max_new_tokens, context_length // 2))


def clamp_new_tokens(max_new_tokens: int, context_length: int,
                     prompt_tokens: int) -> tuple[int, str | None]:
    """At most what the window leaves after the prompt; a notice when the request was cut."""
    room = max(1, context_length - prompt_tokens)
    if max_new_tokens <= room:
        return max_new_tokens, None
    return room, _("max new tokens {asked} is more than the {window}-token context window "
                   "leaves after the {prompt}-token prompt; generation stops when the window "
                   "is full, after at most {room} tokens").format(
        asked=max_new_tokens, window=context_length, prompt=prompt_tokens, room=room)


def check_device(name: str | None) -> str | None:
    """The device name when its form is one the tutor accepts (availability is checked at
    load time, where torch is imported)."""
    if name is None or name == "":
        return None
    if not _DEVICE.match(name):
        raise BadInput(_("unknown device {name}: use {forms}").format(name=repr(name),
                                                                       forms=_(DEVICE_FORMS)))
    return name


def join_notices(*notices: str | None) -> str | None:
    parts = [n for n in notices if n]
    return "; ".join(parts) if parts else None
