"""A loaded model and its two contexts, driven through llama.cpp's low-level API like llama-bench.

llama-bench (vendor/llama.cpp/tools/llama-bench/llama-bench.cpp) times each test in a context
of its own size (n_ctx = n_prompt + n_gen + n_depth), clears the KV cache before every
repetition, feeds random token ids (BOS first when the vocabulary adds one), submits the prompt
in n_batch-sized batches with only the last token's logits, generates one token per
llama_decode, and waits for the backend with llama_synchronize. We do the same through
ctypes, without the high-level Llama class (which samples, keeps logits and checks input).
"""

from __future__ import annotations

import ctypes
import random
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from advisor.bench.run.native import LlamaLog, context_failure, decode_failure, load_failure
from advisor.errors import BenchError
from advisor.estimate.kv_types import kv_cache_type

FLASH_ATTN = {"auto": -1, "off": 0, "on": 1}


@dataclass(frozen=True)
class ContextOptions:
    n_threads: int
    n_batch: int
    n_ubatch: int
    kv_type: str
    flash_attn: str


class LoadAborted(Exception):
    """The progress callback stopped the load: the budget ran out or the user pressed Ctrl-C."""


class ComputeAborted(Exception):
    """The abort callback stopped llama_decode part way (the warm-up's deadline or Ctrl-C)."""


class LlamaSession:
    """One model in memory. Call close() (or use `with`) to free it."""

    def __init__(self, llama_cpp: ModuleType, log: LlamaLog, path: str) -> None:
        self._lib = llama_cpp
        self._log = log
        self.path = path
        self._model = None
        self._contexts: list[object] = []
        self._gen_batch = None
        self._multi_batch = None
        self._multi_size = 0
        self._rng = random.Random(0)

    def load(self, n_gpu_layers: int, extra_buffers: bool, keep_going: Callable[[], bool]) -> None:
        """Load the weights; `keep_going` is asked as loading progresses and may stop it."""
        lib = self._lib
        params = lib.llama_model_default_params()
        params.n_gpu_layers = n_gpu_layers
        params.use_extra_bufts = extra_buffers
        stopped = []

        def progress(fraction: float, user_data: object) -> bool:
            if keep_going():
                return True
            stopped.append(fraction)
            return False

        callback = lib.llama_progress_callback(progress)
        params.progress_callback = callback
        self._model = lib.llama_model_load_from_file(self.path.encode(), params)
        if not self._model:
            if stopped:
                raise LoadAborted()
            raise load_failure(self.path, self._log)

    def new_context(self, n_ctx: int, options: ContextOptions, n_seq_max: int = 1) -> object:
        """A context of `n_ctx` cells. With `n_seq_max` > 1 each sequence gets its own
        n_ctx / n_seq_max cells (llama-batched-bench's default: no unified cache)."""
        lib = self._lib
        params = lib.llama_context_default_params()
        params.n_ctx = n_ctx
        params.n_seq_max = n_seq_max
        params.kv_unified = False
        params.n_batch = options.n_batch
        params.n_ubatch = options.n_ubatch
        params.n_threads = params.n_threads_batch = options.n_threads
        params.type_k = params.type_v = kv_cache_type(options.kv_type).ggml_id
        params.flash_attn_type = FLASH_ATTN[options.flash_attn]
        params.no_perf = True
        ctx = lib.llama_init_from_model(self._model, params)
        if not ctx:
            raise context_failure(self.path, self._log)
        self._contexts.append(ctx)
        return ctx

    # --- what llama.cpp tells about the model -------------------------------------------
    @property
    def n_layers(self) -> int:
        return int(self._lib.llama_model_n_layer(self._model))

    @property
    def n_params(self) -> int:
        return int(self._lib.llama_model_n_params(self._model))

    def meta(self, key: str) -> str | None:
        buf = ctypes.create_string_buffer(256)
        size = self._lib.llama_model_meta_val_str(self._model, key.encode(), buf, len(buf))
        return buf.value.decode("utf-8", "replace") if size >= 0 else None

    def _vocab(self) -> tuple[object, int, bool]:
        vocab = self._lib.llama_model_get_vocab(self._model)
        n_vocab = int(self._lib.llama_vocab_n_tokens(vocab))
        return vocab, n_vocab, bool(self._lib.llama_vocab_get_add_bos(vocab))

    # --- the two tests --------------------------------------------------------------------
    def clear(self, ctx: object) -> None:
        self._lib.llama_memory_clear(self._lib.llama_get_memory(ctx), False)

    def prompt(
        self, ctx: object, n_prompt: int, n_batch: int, stop: Callable[[], bool] | None = None
    ) -> None:
        """llama-bench's test_prompt: n_prompt random tokens in batches of n_batch.

        With `stop`, llama.cpp asks it between graph nodes and gives up when it says so
        (ComputeAborted). Only for untimed runs: the callback costs a Python call per node.
        """
        if stop is None:
            self._prompt(ctx, n_prompt, n_batch)
            return
        lib = self._lib
        callback = lib.ggml_abort_callback(lambda data: bool(stop()))
        lib.llama_set_abort_callback(ctx, callback, None)
        try:
            self._prompt(ctx, n_prompt, n_batch)
        finally:
            lib.llama_set_abort_callback(ctx, lib.ggml_abort_callback(), None)

    def _prompt(self, ctx: object, n_prompt: int, n_batch: int) -> None:
        lib = self._lib
        vocab, n_vocab, add_bos = self._vocab()
        tokens = (lib.llama_token * n_batch)()
        done = 0
        while done < n_prompt:
            n = min(n_prompt - done, n_batch)
            for i in range(n):
                tokens[i] = self._rng.randrange(n_vocab)
            if done == 0 and add_bos:
                tokens[0] = lib.llama_vocab_bos(vocab)
            self._decode(ctx, lib.llama_batch_get_one(tokens, n))
            done += n
        lib.llama_synchronize(ctx)

    def generate(
        self, ctx: object, n_gen: int, keep_going: Callable[[], bool] | None = None
    ) -> bool:
        """llama-bench's test_gen: n_gen single-token decodes, synchronizing after each.

        Returns False if `keep_going` said stop before the last token.
        """
        lib = self._lib
        vocab, n_vocab, add_bos = self._vocab()
        batch = self._single_token_batch()
        token = lib.llama_vocab_bos(vocab) if add_bos else self._rng.randrange(n_vocab)
        pos = lib.llama_memory_seq_pos_max(lib.llama_get_memory(ctx), 0) + 1
        for _ in range(n_gen):
            if keep_going is not None and not keep_going():
                return False
            batch.token[0] = token
            batch.pos[0] = pos
            self._decode(ctx, batch)
            lib.llama_synchronize(ctx)
            pos += 1
            token = self._rng.randrange(n_vocab)
        return True

    # --- several sequences at once (llama-batched-bench) ---------------------------------
    def prompts(self, ctx: object, sequences: int, n_prompt: int, n_batch: int,
                stop: Callable[[], bool] | None = None,
                filled: Callable[[], None] | None = None) -> None:  # fmt: skip
        """llama-batched-bench's prompt phase: `sequences` prompts of `n_prompt` random tokens,
        sequence j in seq id j, only each prompt's last token with logits; one
        llama_synchronize at the end. As llama-batched-bench does, the whole batch is built
        first and `filled()` is called then, before the first llama_decode (its clock starts
        there); the batch goes to llama.cpp in n_batch-token slices. `stop` as in prompt()."""
        lib = self._lib
        _, n_vocab, _ = self._vocab()
        total = sequences * n_prompt
        batch = self._batch(total)
        n = 0
        for j in range(sequences):
            for i in range(n_prompt):
                self._put(batch, n, self._rng.randrange(n_vocab), i, j, i == n_prompt - 1)
                n += 1
        callback = None  # kept alive while llama.cpp may call it
        if stop is not None:
            callback = lib.ggml_abort_callback(lambda data: bool(stop()))
            lib.llama_set_abort_callback(ctx, callback, None)
        try:
            if filled is not None:
                filled()
            for first in range(0, total, n_batch):
                self._decode(ctx, _slice(lib, batch, first, min(n_batch, total - first)))
            lib.llama_synchronize(ctx)
        finally:
            if callback is not None:
                lib.llama_set_abort_callback(ctx, lib.ggml_abort_callback(), None)

    def steps(self, ctx: object, sequences: int, first_pos: int, n_gen: int,
              keep_going: Callable[[], bool] | None = None) -> bool:  # fmt: skip
        """llama-batched-bench's generation phase: `n_gen` decodes of one token for each of
        `sequences` sequences (all with logits), synchronizing after each. Returns False if
        `keep_going` said stop before the last step."""
        lib = self._lib
        _, n_vocab, _ = self._vocab()
        batch = self._batch(max(sequences, 1))
        for i in range(n_gen):
            if keep_going is not None and not keep_going():
                return False
            for j in range(sequences):
                self._put(batch, j, self._rng.randrange(n_vocab), first_pos + i, j, True)
            batch.n_tokens = sequences
            self._decode(ctx, batch)
            lib.llama_synchronize(ctx)
        return True

    def _batch(self, n_tokens: int):
        """A llama_batch of at least `n_tokens` tokens, one seq id each (kept for reuse)."""
        if self._multi_batch is None or self._multi_size < n_tokens:
            if self._multi_batch is not None:
                self._lib.llama_batch_free(self._multi_batch)
            self._multi_batch = self._lib.llama_batch_init(n_tokens, 0, 1)
            self._multi_size = n_tokens
        return self._multi_batch

    @staticmethod
    def _put(batch, i: int, token: int, pos: int, seq: int, logits: bool) -> None:
        batch.token[i] = token
        batch.pos[i] = pos
        batch.n_seq_id[i] = 1
        batch.seq_id[i][0] = seq
        batch.logits[i] = logits

    def _single_token_batch(self):
        if self._gen_batch is None:
            batch = self._lib.llama_batch_init(1, 0, 1)
            batch.n_tokens = 1
            batch.n_seq_id[0] = 1
            batch.seq_id[0][0] = 0
            batch.logits[0] = 1
            self._gen_batch = batch
        return self._gen_batch

    def _decode(self, ctx: object, batch: object) -> None:
        status = self._lib.llama_decode(ctx, batch)
        if status == 2:  # llama.h: "aborted" by the abort callback
            raise ComputeAborted()
        if status != 0:
            raise decode_failure(self.path, int(status), self._log)

    # --- cleanup --------------------------------------------------------------------------
    def close(self) -> None:
        lib = self._lib
        if self._gen_batch is not None:
            lib.llama_batch_free(self._gen_batch)
            self._gen_batch = None
        if self._multi_batch is not None:
            lib.llama_batch_free(self._multi_batch)
            self._multi_batch = None
        while self._contexts:
            lib.llama_free(self._contexts.pop())
        if self._model:
            lib.llama_model_free(self._model)
            self._model = None

    def __enter__(self) -> LlamaSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def check_kv_type(kv_type: str) -> str:
    try:
        kv_cache_type(kv_type)
    except ValueError as exc:
        raise BenchError(str(exc)) from None
    return kv_type


def _slice(lib, batch, first: int, count: int):
    """A llama_batch of `count` tokens from `first` on, pointing into `batch`'s arrays (as
    llama.cpp's common_batch::get_sub_batch does): nothing is copied."""
    view = lib.llama_batch()
    view.n_tokens = count
    view.token = _offset(batch.token, first)
    view.pos = _offset(batch.pos, first)
    view.n_seq_id = _offset(batch.n_seq_id, first)
    view.seq_id = _offset(batch.seq_id, first)
    view.logits = _offset(batch.logits, first)
    return view


def _offset(pointer, first: int):
    """`pointer` + `first` elements, as a pointer of the same type."""
    address = ctypes.addressof(pointer.contents) + first * ctypes.sizeof(pointer._type_)
    return ctypes.cast(address, type(pointer))
