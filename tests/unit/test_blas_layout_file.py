"""The BLAS layout kept as a file beside cached weights: written by the first load, mapped
(shared, file-backed) by later ones, rebuilt when stale or damaged, kept in memory where
the cache cannot be written; and the numbers are those of the in-memory layout, bit for bit.

The cached model is the tiny random llama saved as a fetch leaves a model folder."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from tutor.engine import fetch
from tutor.engine.decode import blas
from tutor.engine.loading import Loaded, load
from tutor.engine.registry import ModelSpec, get_spec
from tutor.engine.tiny import tiny_decoder
from tutor.settings import Settings

SPEC = ModelSpec(name="tiny-cached", kind="decoder", title="tiny llama, cached",
                 description="the tiny random llama saved as a fetched model", source="pypi",
                 package="tiny-cached==0")
PROMPT = "The river bank was"


@pytest.fixture(scope="module", autouse=True)
def _one_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(cache_dir=tmp_path / "cache")
    folder = fetch.model_dir(SPEC, settings.cache_dir)
    model, tokenizer = tiny_decoder()
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    fetch._write_stamp(folder, SPEC)  # as a complete fetch leaves it
    return settings


def store(settings: Settings) -> Path:
    return fetch.model_dir(SPEC, settings.cache_dir) / fetch.PREPARED


def mapping(path: Path) -> list[tuple[int, int]]:
    """The address ranges this process maps from `path` (/proc/self/maps)."""
    ranges = []
    for line in Path("/proc/self/maps").read_text().splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) == 6 and fields[5] == str(path):
            low, high = (int(x, 16) for x in fields[0].split("-"))
            ranges.append((low, high))
    return ranges


def file_backed(m: Loaded, path: Path) -> bool:
    """Every laid-out weight of `m` lies in this process's mapping of `path`."""
    ranges = mapping(path)
    assert m.blas is not None
    weights = [m.model.model.layers[0].self_attn.q_proj.weight.data_ptr(),
               m.model.model.layers[-1].mlp.down_proj.weight.data_ptr(),
               m.blas.lm_head.ctypes.data]
    return all(any(low <= w < high for low, high in ranges) for w in weights)


def in_memory(settings: Settings) -> Loaded:
    """The same folder loaded as a local directory: the layout built in memory, no file."""
    m = load(get_spec(str(fetch.model_dir(SPEC, settings.cache_dir))), settings)
    assert m.blas is not None
    return m


def numbers(m: Loaded) -> list[torch.Tensor]:
    """The model forward's logits, then the BLAS step's over a prompt and 12 greedy steps."""
    ids = list(m.tokenizer(PROMPT)["input_ids"])
    with torch.inference_mode():
        out = [m.model(input_ids=torch.tensor([ids])).logits[0]]
        stepper = blas.BlasLlamaStepper(m.model, m.device, 64, m.blas)  # type: ignore[arg-type]
        logits = stepper.prefill(ids)
        out.append(logits)
        for _ in range(12):
            logits = stepper.step(int(torch.argmax(logits)))
            out.append(logits)
    return out


def assert_same_numbers(a: Loaded, b: Loaded) -> None:
    assert a.blas is not None and b.blas is not None
    for x, y in zip(a.blas.layers, b.blas.layers, strict=True):
        for name in ("qkv", "o", "gate_up", "down"):
            assert np.array_equal(getattr(x, name), getattr(y, name)), name
    assert np.array_equal(a.blas.lm_head, b.blas.lm_head)
    for x, y in zip(numbers(a), numbers(b), strict=True):
        assert torch.equal(x, y)  # the same float32 bytes, not just close


def test_the_first_load_writes_the_layout_and_later_loads_map_it(settings: Settings) -> None:
    path = store(settings)
    assert not path.exists()
    first = load(SPEC, settings)
    written = path.stat()
    assert file_backed(first, path)  # the builder maps it too: its own copy is freed
    second = load(SPEC, settings)
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
    assert file_backed(second, path)
    assert not [p.name for p in path.parent.iterdir() if p.name.endswith(".partial")]
    assert_same_numbers(second, in_memory(settings))


def test_a_mapped_load_warns_nothing(settings: Settings) -> None:
    load(SPEC, settings)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = load(SPEC, settings)
    assert file_backed(m, store(settings))
    assert [str(w.message) for w in caught if "writ" in str(w.message)] == []


def _bump_version(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setattr(blas, "LAYOUT_VERSION", blas.LAYOUT_VERSION + 1)


def _refetch(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    """Other weights of the same shapes, written as a fetch writes them."""
    folder = fetch.model_dir(SPEC, settings.cache_dir)
    model, tokenizer = tiny_decoder(seed=1)
    model.save_pretrained(folder)
    fetch._write_stamp(folder, SPEC)


def _truncate(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    path = store(settings)
    with path.open("r+b") as f:
        f.truncate(path.stat().st_size // 2)


def _scribble_header(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    with store(settings).open("r+b") as f:
        f.seek(8)
        f.write(b"\x00garbage")


STALE = {"layout version bumped": _bump_version, "weights fetched again": _refetch,
         "file truncated": _truncate, "header damaged": _scribble_header}


@pytest.mark.parametrize("how", STALE)
def test_a_stale_or_damaged_layout_is_rebuilt(settings: Settings, how: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = store(settings)
    load(SPEC, settings)
    before = path.stat()
    STALE[how](monkeypatch, settings)
    m = load(SPEC, settings)
    after = path.stat()
    assert after.st_ino != before.st_ino  # a new file took its place
    assert file_backed(m, path)
    header_length = int.from_bytes(path.read_bytes()[:8], "little")
    header = json.loads(path.read_bytes()[8: 8 + header_length])
    assert header["layout"] == blas.LAYOUT_VERSION
    assert_same_numbers(m, in_memory(settings))  # the weights now in the folder


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """`folder` made unwritable for this process: by its mode, and for root (whom modes do
    not stop) by the immutable attribute; skips where neither holds."""
    folder.chmod(0o555)
    immutable = False
    try:
        if os.geteuid() == 0:
            immutable = subprocess.run(["chattr", "+i", str(folder)],
                                       capture_output=True).returncode == 0
        probe = folder / "probe"
        try:
            probe.touch()
        except OSError:
            pass
        else:
            probe.unlink()
            pytest.skip("cannot make a folder read-only here")
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


def test_a_read_only_cache_keeps_the_layout_in_memory(
        settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    folder = fetch.model_dir(SPEC, settings.cache_dir)
    with read_only(folder), caplog.at_level(logging.WARNING, logger=blas.__name__):
        m = load(SPEC, settings)
    assert not store(settings).exists() and mapping(store(settings)) == []
    assert [r.getMessage() for r in caplog.records if "stays in this process" in r.message]
    assert_same_numbers(m, in_memory(settings))


def test_a_read_only_cache_still_maps_a_layout_built_before(settings: Settings) -> None:
    load(SPEC, settings)  # the owner of the cache loads once
    with read_only(fetch.model_dir(SPEC, settings.cache_dir)):
        m = load(SPEC, settings)
    assert file_backed(m, store(settings))


def test_the_layout_file_is_not_damage_to_the_model(settings: Settings,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    load(SPEC, settings)
    assert fetch.damage(SPEC, settings.cache_dir) is None
    _truncate(monkeypatch, settings)  # even a broken one: the next load rebuilds it
    assert fetch.damage(SPEC, settings.cache_dir) is None
    assert fetch.require(SPEC, settings.cache_dir) == store(settings).parent


def test_decode_torch_leaves_the_cache_alone(settings: Settings) -> None:
    from dataclasses import replace

    m: Any = load(SPEC, replace(settings, decode="torch"))
    assert m.blas is None and not store(settings).exists()


def test_loads_at_once_build_the_file_once(settings: Settings,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A class joining right after a fetch: one load builds, the others wait and map it."""
    from dataclasses import replace
    from threading import Barrier, Thread

    writes: list[Path] = []
    write = blas._write

    def counted(store: Path, *args: Any) -> None:
        writes.append(store)
        write(store, *args)

    monkeypatch.setattr(blas, "_write", counted)
    models = [load(SPEC, replace(settings, decode="torch")).model for _ in range(3)]
    prepared = fetch.prepared(SPEC, settings.cache_dir)
    assert prepared is not None
    path, source = prepared
    start, laid = Barrier(len(models)), list[blas.BlasWeights]()

    def lay(model: Any) -> None:
        start.wait()
        laid.append(blas.lay_out(model, path, source))

    threads = [Thread(target=lay, args=(m,)) for m in models]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert writes == [path] and len(laid) == len(models)
    ranges = mapping(path)
    assert all(any(lo <= w.lm_head.ctypes.data < hi for lo, hi in ranges) for w in laid)


def test_a_killed_builders_temporary_file_goes_at_the_next_build(settings: Settings) -> None:
    path = store(settings)
    left = path.with_name(f".{path.name}.k1ll3d.partial")
    left.write_bytes(b"half a layout")
    load(SPEC, settings)
    assert path.exists() and not left.exists()
