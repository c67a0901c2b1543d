"""`advisor estimate`: memory, placement, longest context and speed of one model on a machine."""

from __future__ import annotations

import argparse
import difflib
import json
import sys

from advisor.argtypes import MAX_CONTEXT_TOKENS, choice, path_text, whole
from advisor.commands.options import add_json_option, add_machine_options
from advisor.console import out
from advisor.estimate.kv_types import KV_TYPES

HELP = "estimate memory, placement and speed of one model on this machine"
DESCRIPTION = """\
Estimates what llama.cpp would allocate for a catalog model at a quant and context on this
machine (or a --profile): weights, KV cache, compute buffers and runtime overhead per device,
where the layers go (all on the GPU, split with the CPU, MoE experts in RAM, or CPU only),
the longest context that fits that way, and decode (llama-bench tg128) and prefill (pp512)
speed with a range. Defaults are llama-server's: n_batch 2048, n_ubatch 512, flash attention
on, f16 KV cache, one sequence.

Memory modes: 'dedicated' (default) counts total VRAM and RAM less a reserve for the OS and
display; 'now' counts what is free at this moment."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("estimate", help=HELP, description=DESCRIPTION,
                            formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--model", required=True, metavar="ID_OR_REPO_OR_FILE", type=path_text,
                        help="catalog id, Hugging Face repo id (any letter case), a GGUF "
                        "file (any part of a split model; only its header is read), or any "
                        "Hugging Face repo as hf:ORG/REPO[:QUANT] or its URL (only its "
                        "listing and one header are read)")  # fmt: skip
    parser.add_argument("--quant", metavar="Q",
                        help="a quant the catalog lists for the model, e.g. Q4_K_M (a GGUF "
                        "file is its own quant: leave it out)")  # fmt: skip
    parser.add_argument("--context", required=True, type=whole(1, MAX_CONTEXT_TOKENS), metavar="N",
                        help="context length in tokens")  # fmt: skip
    parser.add_argument("--kv-type", default="f16", type=choice(KV_TYPES),
                        help="KV cache type (default f16; quantized types need flash "
                        "attention, which is on)")  # fmt: skip
    parser.add_argument("--mode", default="dedicated", choices=("now", "dedicated"),
                        help="count free memory now, or total less an OS reserve "
                        "(default dedicated)")  # fmt: skip
    parser.add_argument("--gpu-layers", type=whole(-1, 100_000), metavar="N",
                        help="force llama.cpp's -ngl N instead of choosing the fastest "
                        "placement that fits")  # fmt: skip
    parser.add_argument("--no-flash-attn", action="store_true",
                        help="estimate with flash attention off (llama.cpp -fa off): the "
                        "attention scores then take n_ctx x n_ubatch x n_heads floats")  # fmt: skip
    parser.add_argument("--prompt-tokens", type=whole(1, MAX_CONTEXT_TOKENS), metavar="N",
                        help="prompt length, no longer than --context, for the time to first "
                        "token (default: the context, at most 4096) and, with --parallel, "
                        "of each sequence's prompt (default 512 there)")  # fmt: skip
    parser.add_argument("--parallel", metavar="B",
                        help="also estimate B sequences served at once: aggregate prefill "
                        "and decode as llama-batched-bench -npp P -ntg 128 -npl B reports "
                        "them")  # fmt: skip
    add_json_option(parser)
    add_machine_options(parser, suppress=True)
    parser.set_defaults(func=run)


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word.lower(), choices, n=3, cutoff=0.5)
    return f"; did you mean {', '.join(close)}?" if close else ""


def find_model(catalog, id_or_repo: str):
    from advisor.errors import NotFoundError

    model = catalog.find(id_or_repo)
    if model is None:
        names = [m.id for m in catalog.models] + [m.hf_repo.lower() for m in catalog.models]
        hint = f"a Hugging Face repository is read with --model hf:{id_or_repo}" if (
            id_or_repo.count("/") == 1) else None  # fmt: skip
        raise NotFoundError(f"no model {id_or_repo!r} in the catalog{_suggest(id_or_repo, names)}"
                            " (advisor catalog list shows them all)", hint=hint)  # fmt: skip
    if (note := catalog.base_note(id_or_repo)) is not None:
        print(f"note: {note}", file=sys.stderr)
    return model


def find_quant(model, quant: str) -> str:
    from advisor.errors import NotFoundError

    if model.quant(quant) is None:
        listed = [q.type for q in model.quants]
        close = difflib.get_close_matches(quant.upper(), listed, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise NotFoundError(f"{model.id} has no {quant} file in the catalog{hint} "
                            f"(listed: {', '.join(listed) or 'none'})")  # fmt: skip
    return quant.upper()


def model_and_quant(catalog, model_arg: str, quant_arg: str | None):
    """(Model, quant) for --model and --quant: a catalog entry, or a GGUF file's header."""
    from advisor.catalog.gguf.file_model import is_model_file, read_file_model
    from advisor.catalog.hub.ref import is_repo_ref
    from advisor.errors import UsageError

    if is_repo_ref(model_arg):
        from advisor.catalog.hub.remote_model import read_remote_model
        from advisor.catalog.hub.render import remote_notes
        from advisor.console import note

        remote = read_remote_model(model_arg, quant_arg, taken_ids=[m.id for m in catalog.models])
        for line in remote_notes(remote):
            note(line)
        return remote.model, remote.quant
    if is_model_file(model_arg):
        found = read_file_model(model_arg, taken_ids=[m.id for m in catalog.models])
        if quant_arg is not None and quant_arg.upper() != found.quant:
            raise UsageError(f"--quant {quant_arg}: {found.path.name} is {found.quant}",
                             hint="leave --quant out for a GGUF file")  # fmt: skip
        _note_file(found)
        return found.model, found.quant
    model = find_model(catalog, model_arg)
    if quant_arg is None:
        listed = ", ".join(q.type for q in model.quants) or "none"
        raise UsageError(f"--quant is needed for a catalog model (listed for {model.id}: "
                         f"{listed})")  # fmt: skip
    return model, find_quant(model, quant_arg)


def _note_file(found) -> None:
    """Say on stderr what was read and what the header does not tell."""
    from advisor.catalog.render import file_size
    from advisor.console import note

    parts = f" ({found.shards} parts)" if found.shards > 1 else ""
    note(f"read the header of {found.path.name}{parts}: {found.quant}, weights "
         f"{file_size(found.tensor_bytes)} as the file's tensors")  # fmt: skip
    unknown = {**found.model.architecture.unknown, **found.model.unknown}
    for key, why in unknown.items():
        note(f"unknown {key}: {why}")


def _calibration(machine):
    """This machine's throughput-test calibration, when advisor bench has stored runs (the
    estimator applies it only where advisor.estimate.calibration.apply.scaling_for says so)."""
    from advisor.bench.calibrate.from_store import load_calibration

    return load_calibration(machine)


def run(args: argparse.Namespace) -> int:
    from advisor.catalog import load_catalog
    from advisor.errors import UsageError
    from advisor.estimate import estimate
    from advisor.estimate.assemble import placement_contexts_for
    from advisor.estimate.render import estimate_to_dict, render_text
    from advisor.probe import resolve_machine

    if args.context <= 0:
        raise UsageError("--context must be a positive number of tokens")
    if args.gpu_layers is not None and args.gpu_layers < 0:
        raise UsageError("--gpu-layers must be 0 or more")
    prompt = args.prompt_tokens if args.prompt_tokens is not None else min(args.context, 4096)
    if prompt <= 0:
        raise UsageError("--prompt-tokens must be a positive number of tokens")
    if prompt > args.context:  # llama.cpp cannot prefill a prompt its context cannot hold
        raise UsageError(f"--prompt-tokens {prompt} is longer than --context {args.context}: "
                         "the prompt must fit in the context",
                         hint=f"raise --context to {prompt} or more")  # fmt: skip
    sequences = parse_sequences(args.parallel) if args.parallel is not None else None
    catalog = load_catalog(getattr(args, "catalog", None))
    model, quant = model_and_quant(catalog, args.model, args.quant)
    machine = resolve_machine(profile=getattr(args, "profile", None),
                              profiles_dir=getattr(args, "profiles_dir", None),
                              ram_gb=getattr(args, "ram", None),
                              vram_gb=getattr(args, "vram", None))  # fmt: skip
    calibration = _calibration(machine)
    try:
        est = estimate(machine, model, quant, context_tokens=args.context,
                       kv_type=args.kv_type, mode=args.mode, gpu_layers=args.gpu_layers,
                       calibration=calibration,
                       flash_attn=False if args.no_flash_attn else None)  # fmt: skip
    except ValueError as err:  # e.g. a quantized KV cache without flash attention
        raise UsageError(str(err)) from None
    contexts = placement_contexts_for(machine, model, est)
    parallel = None
    if sequences is not None and est.speed is not None:
        from advisor.estimate.speed.batched import DEFAULT_PROMPT_TOKENS, parallel_speed

        each = args.prompt_tokens if args.prompt_tokens is not None else DEFAULT_PROMPT_TOKENS
        parallel = parallel_speed(machine, model, est, sequences=sequences, prompt_tokens=each,
                                  calibration=calibration)  # fmt: skip
    if getattr(args, "json", False):
        doc = estimate_to_dict(est, model, machine, prompt, contexts, parallel=parallel)
        out(json.dumps(doc, indent=2))
    else:
        out(render_text(est, model, machine, prompt, contexts, parallel=parallel))
    return 0


def parse_sequences(text: str) -> int:
    """--parallel B: a whole number of sequences, from 1 to llama.cpp's LLAMA_MAX_SEQ."""
    from advisor.bench.plan import MAX_SEQUENCES
    from advisor.errors import UsageError

    try:
        value = int(text.strip())
    except ValueError:
        raise UsageError(f"--parallel takes one whole number of sequences, not {text!r}",
                         hint="e.g. --parallel 8") from None  # fmt: skip
    if value < 1:
        raise UsageError(f"--parallel must be at least 1 sequence, not {value}")
    if value > MAX_SEQUENCES:
        raise UsageError(
            f"--parallel {value}: llama.cpp serves at most {MAX_SEQUENCES} sequences at once"
        )
    return value
