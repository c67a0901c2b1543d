"""`--model hf:ORG/REPO[:QUANT]`: a Hugging Face repository is a model, read without its weights.

Against a Hub served on 127.0.0.1 (tests/bench/hub_server.py) through the installed
huggingface_hub, unmocked: the repository's listing, then byte ranges of the chosen GGUF's
header. The GGUFs are header-exact sparse files of models the catalog lacks (real_shapes.py):
Llama 2 13B Q8_0 whole and split, DeepSeek-V2-Lite BF16. scripts/hub_versions.sh runs this
file under the oldest huggingface_hub the package allows too.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from catalog_testkit import write_gguf
from gguf import GGMLQuantizationType as T
from real_shapes import deepseek_v2_lite, llama2_13b, tensor_bytes

from advisor.cli import main
from advisor.errors import ExitCode
from tests.bench.hub_server import COMMIT, Hub, point_huggingface_hub_at, serve

hf = pytest.importorskip("huggingface_hub")
import huggingface_hub.constants  # noqa: E402 - after the skip

LLAMA = "TheBloke/Llama-2-13B-GGUF"
DEEPSEEK = "someone/DeepSeek-V2-Lite-GGUF"
QWEN = "Qwen/Qwen3-8B"  # safetensors only
GATED = "meta-llama/Llama-Gated-GGUF"
CONTEXT = 4096
LLAMA_KV = 40 * 5120 * 2 * 2 * CONTEXT  # llama.cpp's f16 K and V, 40 layers x 5120
DEEPSEEK_KV = 27 * 576 * 2 * CONTEXT  # MLA: one latent row of 512 + 64 per layer
# Qwen/Qwen3-8B config.json: the values models.yaml's qwen3-8b carries (architectures csv).
QWEN3_8B_CONFIG = {
    "architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "hidden_size": 4096,
    "intermediate_size": 12288, "num_hidden_layers": 36, "num_attention_heads": 32,
    "num_key_value_heads": 8, "head_dim": 128, "vocab_size": 151936,
    "max_position_embeddings": 40960, "tie_word_embeddings": False, "torch_dtype": "bfloat16",
}  # fmt: skip


@pytest.fixture(scope="module")
def ggufs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | bytes]:
    folder = tmp_path_factory.mktemp("hub-files")
    files: dict[str, Path | bytes] = {}
    meta, tensors = llama2_13b()
    (whole,) = write_gguf(folder / "llama-2-13b.Q8_0.gguf", "llama", meta, tensors)
    files[f"{LLAMA}/llama-2-13b.Q8_0.gguf"] = whole
    (folder / "split").mkdir()
    meta, tensors = llama2_13b(T.F16)
    for part in write_gguf(folder / "split" / "llama-2-13b.F16.gguf", "llama", meta, tensors,
                           split_max_tensors=150):  # fmt: skip
        files[f"{LLAMA}/f16/{part.name}"] = part
    files[f"{LLAMA}/README.md"] = b"# Llama 2 13B GGUF\n"
    meta, tensors = deepseek_v2_lite()
    (ds,) = write_gguf(folder / "DeepSeek-V2-Lite-BF16.gguf", "deepseek2", meta, tensors)
    files[f"{DEEPSEEK}/DeepSeek-V2-Lite-BF16.gguf"] = ds
    files[f"{DEEPSEEK}/mmproj-DeepSeek-F16.gguf"] = b"GGUF-not-a-model"  # never a quant
    files[f"{QWEN}/config.json"] = json.dumps(QWEN3_8B_CONFIG).encode()
    files[f"{QWEN}/model-00001-of-00005.safetensors"] = b"\0" * 64
    files["someone/notes-only/README.md"] = b"nothing to run\n"
    files["someone/broken-GGUF/broken-Q4_K_M.gguf"] = b"<html>not a model</html>" * 100
    # a split set of which the repository lists one part
    files[f"someone/partial-GGUF/{part.name}"] = part
    files[f"{GATED}/x-Q4_K_M.gguf"] = whole
    return files


@pytest.fixture
def hub(ggufs: dict, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Hub]:
    with serve(Hub(dict(ggufs), gated={GATED})) as served:
        point_huggingface_hub_at(monkeypatch, served.url)
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
        yield served


def _estimate(capsys: pytest.CaptureFixture[str], model: str, *extra: str) -> tuple[int, dict, str]:
    code = main(["estimate", "--model", model, "--context", str(CONTEXT),
                 "--profile", "h100-server", "--json", *extra])  # fmt: skip
    out, err = capsys.readouterr()
    return code, json.loads(out) if code == 0 else {}, err


def _tensor_bytes(shape) -> int:
    return tensor_bytes(shape()[1])


def test_a_gguf_repo_is_read_by_its_header_alone(hub: Hub, capsys) -> None:
    code, doc, err = _estimate(capsys, f"hf:{LLAMA}:Q8_0")
    assert code == 0, err
    assert doc["memory"]["weights_bytes"] == _tensor_bytes(llama2_13b)
    assert doc["memory"]["kv_cache_bytes"] == LLAMA_KV
    # the quants, with the Hub's exact sizes; the split set is one quant of three parts
    size = hub.size(f"{LLAMA}/llama-2-13b.Q8_0.gguf")
    assert f"Q8_0 {size / 1e9:.2f} GB (llama-2-13b.Q8_0.gguf)" in err
    assert "F16 " in err and "(f16/llama-2-13b.F16-00001-of-00003.gguf, 3 parts)" in err
    assert "read the header of llama-2-13b.Q8_0.gguf by range requests" in err
    # a 13.8 GB file, of which 1 MiB was sent: the header
    assert size > 10**10 and hub.bytes_sent == 1 << 20
    assert hub.gets() == [f"/{LLAMA}/resolve/{COMMIT}/llama-2-13b.Q8_0.gguf"]


def test_a_split_set_is_one_quant_read_part_by_part(hub: Hub, capsys) -> None:
    for wanted in ("F16", "llama-2-13b.F16-00002-of-00003.gguf"):  # any part names the set
        code, doc, err = _estimate(capsys, f"hf:{LLAMA}:{wanted}")
        assert code == 0, err
        assert doc["memory"]["weights_bytes"] == tensor_bytes(llama2_13b(T.F16)[1])
    assert len(hub.gets()) == 3  # the second time from the cache


def test_an_mla_moe_repo_and_a_pasted_url(hub: Hub, capsys, monkeypatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", hub.url)  # its pages are huggingface.co's
    code, doc, err = _estimate(capsys, f"{hub.url}/{DEEPSEEK}")  # one quant: no need to choose
    assert code == 0, err
    assert doc["memory"]["weights_bytes"] == _tensor_bytes(deepseek_v2_lite)
    assert doc["memory"]["kv_cache_bytes"] == DEEPSEEK_KV
    assert "mmproj" not in err.split("\n")[0]


def test_a_second_estimate_asks_nothing_and_works_offline(hub: Hub, capsys, monkeypatch) -> None:
    first = _estimate(capsys, f"hf:{LLAMA}:Q8_0")
    asked = len(hub.requests)
    second = _estimate(capsys, f"hf:{LLAMA}:Q8_0")
    assert len(hub.requests) == asked
    assert "(from advisor's cache)" in second[2]
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    offline = _estimate(capsys, f"hf:{LLAMA}:Q8_0")
    assert first[1]["memory"] == second[1]["memory"] == offline[1]["memory"]
    assert len(hub.requests) == asked


def test_offline_with_nothing_cached_says_so(hub: Hub, capsys, monkeypatch) -> None:
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    code, _, err = _estimate(capsys, f"hf:{LLAMA}:Q8_0")
    assert code == ExitCode.UNREACHABLE and "HF_HUB_OFFLINE" in err
    assert hub.requests == []


def test_no_network_says_so(monkeypatch, capsys, tmp_path) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    point_huggingface_hub_at(monkeypatch, url)
    code, _, err = _estimate(capsys, f"hf:{LLAMA}:Q8_0")
    assert code == ExitCode.UNREACHABLE
    assert f"cannot reach {url}" in err and "check the network" in err


def test_the_token_is_sent(hub: Hub, capsys, monkeypatch) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_test_token")
    code, _, err = _estimate(capsys, f"hf:{LLAMA}:Q8_0")
    assert code == 0, err
    assert hub.authorizations and set(hub.authorizations) == {"Bearer hf_test_token"}


@pytest.mark.parametrize(
    ("model", "code", "message"),
    [
        (f"hf:{GATED}:Q4_K_M", ExitCode.UNREACHABLE, f"hf:{GATED} is gated"),
        ("hf:TheBloke/Llama-2-13B-GUF", ExitCode.NOT_FOUND,
         f"no repository TheBloke/Llama-2-13B-GUF (or it is private); did you mean {LLAMA}?"),
        ("hf:someone/notes-only", ExitCode.NOT_FOUND, "neither a GGUF file nor a config.json"),
        (f"hf:{LLAMA}:Q4_K_M", ExitCode.NOT_FOUND, f"hf:{LLAMA} has no GGUF Q4_K_M"),
        (f"hf:{LLAMA}", ExitCode.USAGE, f"hf:{LLAMA} has 2 GGUF models; choose one: Q8_0"),
        ("hf:someone/partial-GGUF", ExitCode.BAD_INPUT, "is incomplete: 1 of 3 parts"),
        ("hf:someone/broken-GGUF", ExitCode.BAD_INPUT,
         "hf:someone/broken-GGUF/broken-Q4_K_M.gguf: not a GGUF file (starts with b'<htm'"),
        ("hf:not a repo", ExitCode.USAGE, "is not a repository id of the form ORG/REPO"),
    ],
)  # fmt: skip
def test_bad_repositories_say_what_and_exit_right(
    hub: Hub, capsys, model: str, code: int, message: str
) -> None:
    got, _, err = _estimate(capsys, model)
    assert got == code, err
    assert message in err
    assert "Traceback" not in err


def test_a_safetensors_repo_is_computed_from_its_config(hub: Hub, capsys) -> None:
    from advisor.catalog import load_catalog
    from advisor.catalog.tensors.layout import quant_tensor_bytes

    code, doc, err = _estimate(capsys, f"hf:{QWEN}:Q4_K_M")
    assert code == 0, err
    curated = load_catalog().find("qwen3-8b").architecture
    assert doc["memory"]["weights_bytes"] == quant_tensor_bytes(curated, "Q4_K_M").total_bytes
    assert "Q4_K_M computed from config.json's architecture" in err
    assert "Q8_0" in err.split("\n")[0] and "(computed)" in err.split("\n")[0]
    assert hub.gets() == [f"/{QWEN}/resolve/{COMMIT}/config.json"]


def test_a_safetensors_repo_without_a_quant_lists_the_computed_ones(hub: Hub, capsys) -> None:
    code, _, err = _estimate(capsys, f"hf:{QWEN}")
    assert code == ExitCode.USAGE
    assert "has no GGUF files; choose a quant to compute: Q3_K_M" in err


def test_a_header_past_the_limit_is_refused_before_the_weights(
    hub: Hub, capsys, monkeypatch
) -> None:
    from advisor.catalog.hub import remote_file

    monkeypatch.setattr(remote_file, "MAX_HEADER_BYTES", 1 << 16)
    code, _, err = _estimate(capsys, f"hf:{LLAMA}:Q8_0")
    assert code == ExitCode.BAD_INPUT and "runs past the first" in err
    assert hub.bytes_sent == 1 << 16


def test_a_hub_repository_is_ranked_beside_the_catalog(hub: Hub, capsys) -> None:
    code = main(["models", "--profile", "h100-server", "--json", "--model", f"hf:{LLAMA}:Q8_0",
                 "--model", f"hf:{QWEN}:Q4_K_M"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    doc = json.loads(out)
    for model_id in ("hf-thebloke-llama-2-13b-gguf", "hf-qwen-qwen3-8b"):
        ranked = [c for c in doc["candidates"] if c["model_id"] == model_id]
        left = [e for e in doc["excluded"] if e["model_id"] == model_id]
        assert len(ranked) + len(left) == 1  # judged: ranked, or left out saying why
        assert not ranked or ranked[0]["quality_unknown"]  # no score: quality unknown
    assert "ranked beside the catalog as hf-qwen-qwen3-8b" in err
