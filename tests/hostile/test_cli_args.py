"""The command line under hostile arguments: every case is an answer or one line + exit 2.

Runs on the tiny random models (no weights), each case bounded by the timeout marker.
"""

from __future__ import annotations

import json

import pytest

from tests.hostile.conftest import cli, one_line, run_tutor, shell_arg

pytestmark = pytest.mark.timeout(60)

BAD_BYTES = [
    (b"\xff", 0, 0xFF),
    (b"abc\xfe\xff\xc3 tail", 3, 0xFE),
    (b"x\xed\xa0\x80y", 1, 0xED),  # an encoded surrogate: not UTF-8
    (b"caf\xc3", 3, 0xC3),  # a character cut in half
]

TEXT_COMMANDS = [
    ["tokens", "-m", "tiny-llama"],
    ["attention", "-m", "tiny-llama"],
    ["next", "-m", "tiny-llama"],
    ["generate", "-m", "tiny-llama"],
    ["embed", "-m", "tiny-bert"],
    ["translate"],
    ["lens", "-m", "tiny-llama"],
    ["score", "-m", "tiny-llama"],
]


@pytest.mark.parametrize("raw,offset,byte", BAD_BYTES)
@pytest.mark.parametrize("command", TEXT_COMMANDS, ids=lambda c: c[0])
def test_invalid_utf8_is_refused_naming_the_byte(command: list[str], raw: bytes, offset: int,
                                                 byte: int) -> None:
    line = cli(*command, shell_arg(raw)).one_line_error()
    assert "not valid UTF-8" in line and f"byte {offset} (0x{byte:02x})" in line


def test_invalid_utf8_through_a_real_argv() -> None:
    proc = run_tutor("tokens", b"abc\xfe\xff\xc3 tail", "--json")
    assert "byte 3 (0xfe)" in one_line(proc)


def test_a_lone_surrogate_from_python_is_refused_too() -> None:
    from tutor.engine import BadInput, Engine

    with pytest.raises(BadInput, match="byte 1"):
        Engine("tiny-llama").tokens("x\ud800y")


@pytest.mark.parametrize("text", ["", "   \t ", "\n"])
@pytest.mark.parametrize("command", TEXT_COMMANDS, ids=lambda c: c[0])
def test_empty_text_is_refused(command: list[str], text: str) -> None:
    assert "empty" in cli(*command, text).one_line_error()


@pytest.mark.parametrize("args,names", [
    (["next", "hi", "--temperature", "abc"], ["--temperature", "a number"]),
    (["next", "hi", "--top-k", "1.5"], ["--top-k", "a whole number"]),
    (["generate", "hi", "-n", "x"], ["--max-new-tokens", "a whole number"]),
    (["nosuchcommand"], ["no such command", "tokens"]),
    (["tokens"], ["missing TEXT"]),
    (["next", "hi", "--bogus"], ["--bogus"]),
])
def test_usage_errors_are_one_line_naming_the_option(args: list[str], names: list[str]) -> None:
    line = cli(*args).one_line_error()
    for name in names:
        assert name in line


@pytest.mark.parametrize("seed", ["18446744073709551616", "-18446744073709551616", "-1"])
def test_seeds_outside_64_bits_are_refused(seed: str) -> None:
    line = cli("generate", "hi", "-m", "tiny-llama", "--seed", seed).one_line_error()
    assert "seed" in line and "64 bits" in line


def test_the_largest_64_bit_seed_is_an_answer() -> None:
    out = cli("generate", "hi", "-m", "tiny-llama", "-n", "2", "-t", "1",
              "--seed", str(2**64 - 1), "--json")
    assert out.status == 0 and len(json.loads(out.stdout)["tokens"]) >= 1


@pytest.mark.parametrize("device", ["foo", "meta", "cuda:x", "CPU", "mps", "cuda:99"])
def test_devices_outside_the_accepted_ones_are_one_line(device: str) -> None:
    import torch

    if device == "mps" and torch.backends.mps.is_available():
        pytest.skip("this machine has mps")
    if device == "cuda:99" and torch.cuda.device_count() > 99:
        pytest.skip("this machine has 100 GPUs")
    line = cli("tokens", "x", "-m", "tiny-llama", "--device", device).one_line_error()
    assert device in line


def test_tutor_device_from_the_environment_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUTOR_DEVICE", "meta")
    assert "TUTOR_DEVICE" in cli("tokens", "x", "-m", "tiny-llama").one_line_error()


def test_model_directories_without_a_model_are_one_line(tmp_path: object) -> None:
    line = cli("tokens", "x", "--model", str(tmp_path)).one_line_error()
    assert "holds no model" in line


@pytest.mark.parametrize("temperature", ["1e-38", "1e-40", "1e-45", "5e-324"])
def test_tiny_temperatures_are_greedy_and_the_json_parses(temperature: str) -> None:
    out = cli("next", "hello there", "-m", "tiny-llama", "-t", temperature, "--json")
    assert out.status == 0, out.stderr
    data = json.loads(out.stdout, parse_constant=lambda c: pytest.fail(f"JSON has {c}"))
    assert data["temperature"] == 0 and "treated as 0 (greedy)" in data["notice"]
    greedy = max(data["candidates"], key=lambda c: c["logit"])
    assert [c["prob"] for c in data["candidates"] if c["id"] == greedy["id"]] == [1.0]


def test_tiny_temperatures_generate_greedily() -> None:
    tiny = cli("generate", "hello", "-m", "tiny-llama", "-n", "4", "-t", "1e-40", "--json")
    greedy = cli("generate", "hello", "-m", "tiny-llama", "-n", "4", "-t", "0", "--json")
    assert tiny.status == 0, tiny.stderr
    assert json.loads(tiny.stdout)["text"] == json.loads(greedy.stdout)["text"]
    assert "greedy" in json.loads(tiny.stdout)["notice"]


@pytest.mark.parametrize("args", [
    ["--temperature", "nan"], ["--temperature", "inf"], ["--temperature", "-1"],
    ["--top-p", "0"], ["--top-p", "1.5"], ["--top-k", "-3"], ["--top", "0"],
])
def test_out_of_range_sampling_values_are_one_line(args: list[str]) -> None:
    cli("next", "hello", "-m", "tiny-llama", *args).one_line_error()


@pytest.mark.parametrize("args", [
    ["--temperature", "1e300"], ["--top-k", str(10**30)], ["--top-p", "1e-300"],
    ["--top", str(10**30)],
])
def test_extreme_but_valid_sampling_values_are_answers(args: list[str]) -> None:
    out = cli("next", "hello", "-m", "tiny-llama", *args, "--json")
    assert out.status == 0, out.stderr
    json.loads(out.stdout, parse_constant=lambda c: pytest.fail(f"JSON has {c}"))


@pytest.mark.parametrize("n", [str(10**7), str(10**30)])
def test_max_new_tokens_past_the_window_is_clamped_and_said(n: str) -> None:
    out = cli("generate", "hello", "-m", "tiny-llama", "-n", n, "--json")
    assert out.status == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["stop_reason"] in ("context_full", "eos")
    assert "context window" in data["notice"] and data["prompt_tokens"] + len(data["tokens"]) <= 128


@pytest.mark.parametrize("args", [
    ["--layer", "99"], ["--layer", "-1"], ["--head", "99"], ["--layer", str(10**30)],
])
def test_layers_and_heads_out_of_range_are_one_line(args: list[str]) -> None:
    line = cli("attention", "hello", "-m", "tiny-llama", *args).one_line_error()
    assert "must be in 0.." in line


@pytest.mark.parametrize("command", [["next"], ["generate", "-n", "3"]], ids=lambda c: c[0])
def test_input_past_the_window_keeps_the_end_and_says_so(command: list[str]) -> None:
    text = "hello " * 3000 + "END"
    out = cli(command[0], text, "-m", "tiny-llama", *command[1:], "--json")
    assert out.status == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["truncated"] is True and "only the last" in data["notice"]
    assert data["prompt_tokens"] <= 128


def test_attention_past_its_bound_is_cut() -> None:
    out = cli("attention", "hello " * 3000, "-m", "tiny-llama", "--json")
    assert out.status == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["truncated"] is True and len(data["tokens"]) <= 256


def test_translate_max_steps_must_be_positive() -> None:
    assert "--max-steps" in cli("translate", "May 1 2020", "-n", "0").one_line_error()
