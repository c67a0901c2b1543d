"""The llama.cpp gateway: the import hint, log capture, and failures told apart."""

from __future__ import annotations

import io
import os
import sys

import pytest

from advisor.bench.run.native import (
    INSTALL_HINT,
    LlamaLog,
    context_failure,
    decode_failure,
    import_llama_cpp,
    load_failure,
)
from advisor.errors import BenchError, GGUFError, MissingDependencyError, OutOfMemoryError


class _Log:
    """A LlamaLog's reading side, holding lines llama.cpp really printed."""

    def __init__(self, *lines: str) -> None:
        self._lines = lines

    def text(self) -> str:
        return "".join(f"{line}\n" for line in self._lines)

    def reason(self) -> str | None:
        return "; ".join(self._lines[-2:]) or None


def test_missing_llama_cpp_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    with pytest.raises(MissingDependencyError) as info:
        import_llama_cpp()
    assert info.value.hint == INSTALL_HINT


@pytest.mark.parametrize(
    ("lines", "kind"),
    [
        (
            ["gguf_init_from_file_impl: invalid magic characters: 'ABCD', expected 'GGUF'"],
            GGUFError,
        ),
        (
            [
                "llama_model_load: error loading model: error loading model architecture: "
                "unknown model architecture: 'mamba9'"
            ],
            GGUFError,
        ),
        (
            [
                "ggml_backend_cuda_buffer_type_alloc_buffer: allocating 20480.00 MiB on device 0: "
                "cudaMalloc failed: out of memory",
                "llama_model_load: error loading model: unable to allocate CUDA0 buffer",
            ],
            OutOfMemoryError,
        ),
        (["llama_model_load_from_file_impl: something else went wrong"], BenchError),
    ],
)
def test_load_failures_are_told_apart(lines: list[str], kind: type) -> None:
    error = load_failure("/m/model.gguf", _Log(*lines))
    assert type(error) is kind
    assert lines[-1] in error.message


def test_a_context_failure_without_a_reason_is_out_of_memory() -> None:
    assert isinstance(context_failure("/m.gguf", _Log()), OutOfMemoryError)


def test_a_decode_failure_quotes_the_code() -> None:
    error = decode_failure("/m.gguf", -3, _Log("ggml_backend_sched_graph_compute: failed"))
    assert isinstance(error, BenchError) and "returned -3" in error.message


def test_the_log_captures_callback_lines_and_raw_stderr() -> None:
    llama_cpp = pytest.importorskip("llama_cpp")
    with LlamaLog(llama_cpp) as log:
        os.write(2, b"ggml_backend_cpu_buffer_type_alloc_buffer: failed to allocate buffer\n")
    assert "failed to allocate buffer" in (log.reason() or "")


def test_verbose_echoes_instead_of_hiding() -> None:
    llama_cpp = pytest.importorskip("llama_cpp")
    echo = io.StringIO()
    with LlamaLog(llama_cpp, echo) as log:
        params = llama_cpp.llama_model_default_params()
        model = llama_cpp.llama_model_load_from_file(b"/no/such/file.gguf", params)
    assert not model
    assert "failed to open" in echo.getvalue() or "failed to load" in echo.getvalue()
    assert log.text() == echo.getvalue()
