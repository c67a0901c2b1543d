"""One table of KV cache types (advisor.estimate.kv_types): the commands offer every type the
estimate takes, the speed model reads each type's own bytes, and the throughput test hands
llama.cpp the ggml enum its headers define."""

from __future__ import annotations

import pytest
from estimate_machines import gpu_machine

from advisor.catalog import load_catalog
from advisor.cli import build_parser
from advisor.estimate import KV_TYPES, estimate
from advisor.estimate.kv_types import KV_CACHE_TYPES, kv_cache_type


@pytest.fixture(scope="module")
def llama_8b():
    return load_catalog().find("llama-3.1-8b-instruct")


@pytest.mark.parametrize("command", ["estimate", "bench", "models"])
def test_every_command_takes_every_kv_type(command: str) -> None:
    parser = build_parser(only=command)
    for kv in KV_TYPES:
        argv = [command, "x.gguf"] if command == "bench" else [command]
        if command == "estimate":
            argv += ["--model", "llama-3.1-8b-instruct", "--context", "8192"]
        args = parser.parse_args([*argv, "--kv-type", kv])
        assert args.kv_type == kv


def test_iq4_nl_is_read_at_its_own_size_not_as_f16(llama_8b) -> None:
    """iq4_nl (4.5 bits, like q4_0) once fell back to f16's 2 bytes in the speed model."""
    machine = gpu_machine(24)
    slope = {
        kv: estimate(machine, llama_8b, "Q4_K_M", context_tokens=8192, kv_type=kv,
                     flash_attn=True).speed.decode_s_per_token_per_depth
        for kv in ("f16", "q4_0", "iq4_nl")
    }  # fmt: skip
    assert slope["iq4_nl"] == pytest.approx(slope["q4_0"], rel=1e-6, abs=0)
    assert slope["iq4_nl"] < 0.6 * slope["f16"]


def test_a_quantized_cache_needs_flash_attention(llama_8b) -> None:
    machine = gpu_machine(24)
    for kv in KV_TYPES:
        if kv_cache_type(kv).quantized:
            with pytest.raises(ValueError, match="flash attention"):
                estimate(machine, llama_8b, "Q4_K_M", context_tokens=4096, kv_type=kv,
                         flash_attn=False)  # fmt: skip


def test_an_unknown_type_names_the_choices() -> None:
    with pytest.raises(ValueError, match="expected one of f16, bf16, q8_0"):
        kv_cache_type("q3_k")


def test_the_ggml_enum_is_llama_cpps() -> None:
    llama_cpp = pytest.importorskip("llama_cpp")
    # llama-cpp-python exports every ggml type but BF16 (30 in ggml.h)
    known = {kv.name: getattr(llama_cpp, f"GGML_TYPE_{kv.ggml_type}", None)
             for kv in KV_CACHE_TYPES.values()}  # fmt: skip
    assert {k for k, v in known.items() if v is None} <= {"bf16"}
    for name, value in known.items():
        if value is not None:
            assert value == KV_CACHE_TYPES[name].ggml_id, name
