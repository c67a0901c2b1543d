"""`advisor bench`: a short real throughput test (pp512, tg128) that calibrates the estimates."""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from collections.abc import Callable

from advisor.argtypes import path_text, real, whole
from advisor.bench.run.stop_signal import take_sigint_if_asked
from advisor.console import out
from advisor.errors import ExitCode, InputError, WriteError
from advisor.estimate.kv_types import KV_TYPES

DESCRIPTION = """\
Runs the model through llama-cpp-python on this machine: loads it (timed), warms up, then
times prompt processing of 512 tokens (pp512) and generation of 128 tokens (tg128) the way
llama.cpp's llama-bench does, repeating both until the time budget is spent. Prints each
rate's mean and spread, load time, peak memory and, on NVIDIA GPUs, joules per token.

Results are stored (user data dir, bench.sqlite) and calibrate every later estimate on this
machine: `advisor estimate` and `advisor models` then say "calibrated from N runs".
Ctrl-C stops after the repetition in hand and keeps what finished."""

EPILOG = """\
examples:
  advisor bench ~/models/Qwen3-8B-Q4_K_M.gguf
  advisor bench --model qwen3-8b --quant Q4_K_M          (a file `advisor scan` finds)
  advisor bench --model qwen3-8b --quant Q4_K_M --download
  advisor bench --model hf:unsloth/Qwen3-8B-GGUF:Q4_K_M --download   (any Hub repository)
  advisor bench --history --json"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "bench",
        help="measure real prefill and decode speed with llama-cpp-python",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "file", nargs="?", metavar="FILE.gguf", type=path_text, help="the GGUF model to test"
    )
    parser.add_argument(
        "--model",
        metavar="ID",
        type=path_text,
        help="a catalog model id or HF repo id; with FILE, says which model the file is; "
        "a PATH.gguf is the file itself; hf:ORG/REPO[:QUANT] (or its URL) is that Hub "
        "repository's GGUF of the quant",
    )
    parser.add_argument("--quant", metavar="Q", help="the catalog quant, e.g. Q4_K_M")
    parser.add_argument(
        "--budget",
        metavar="SECONDS",
        type=real(0, 86_400, above=True),
        default=30.0,
        help="time for the whole command, loading included (default: 30)",
    )
    parser.add_argument(
        "--gpu-layers",
        metavar="N",
        type=whole(-1, 100_000),
        help="layers to offload (-1: all); default: what the estimator recommends",
    )
    parser.add_argument(
        "--threads",
        metavar="N",
        type=whole(1, 512),  # GGML_MAX_N_THREADS: more aborts in ggml (bench.plan.MAX_THREADS)
        help="CPU threads (default: physical cores)",
    )
    parser.add_argument(
        "--download",
        action="store_true",
        help="fetch the GGUF from Hugging Face if it is not installed (a progress bar on "
        "stderr; an interrupted download resumes; the size is checked against the listing)",
    )
    parser.add_argument(
        "--parallel",
        metavar="B,B,...",
        help="run B sequences at once for each B listed (e.g. 1,2,4,8), as llama-batched-bench "
        "-npl does: aggregate prefill and decode per B; calibrates the batched estimate",
    )
    parser.add_argument("--history", action="store_true", help="list stored results instead")
    parser.add_argument(
        "--verbose", action="store_true", help="show llama.cpp's log instead of a progress bar"
    )
    parser.add_argument(
        "--catalog",
        metavar="FILE",
        type=path_text,
        default=argparse.SUPPRESS,
        help="use this models.yaml",
    )
    _add_advanced(parser)
    from advisor.commands.options import add_json_option

    add_json_option(parser)
    parser.set_defaults(func=run)


def _add_advanced(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("test shape")
    group.add_argument(
        "--prompt-tokens",
        metavar="N",
        type=whole(1, 131_072),
        default=512,
        help="prompt length (default 512; other lengths are stored but do not calibrate)",
    )
    group.add_argument(
        "--gen-tokens",
        metavar="N",
        type=whole(1, 131_072),
        default=128,
        help="tokens generated (default 128; other counts do not calibrate either)",
    )
    group.add_argument(
        "--runs",
        metavar="N",
        type=whole(1, 1000),
        default=10,
        help="most repetitions per test (default 10)",
    )
    group.add_argument(
        "--kv-type",
        default="f16",
        choices=KV_TYPES,
        help="KV cache type (default f16)",
    )
    group.add_argument(
        "--flash-attn", default="auto", choices=("auto", "on", "off"), help="default auto"
    )
    group.add_argument(
        "--no-probes",
        action="store_true",
        help="skip the kernel-path probes a first CPU run adds (generated models of each "
        "quant type, about a minute once per machine: they let a calibration carry across "
        "quant types)",
    )


# The clock the budget is kept with. Tests replace it, so no test depends on how fast or how
# busy the machine is.
clock: Callable[[], float] = time.perf_counter


def run(args: argparse.Namespace) -> int:
    if args.history:
        return _history(args)
    # The budget counts from here, the command's own start: never from the process's start,
    # which in a long-lived process (a test run, an embedding program) may be minutes ago.
    started = clock()
    take_sigint_if_asked()  # the app's Stop, even under a SIGINT-ignoring parent
    from advisor.bench.plan import parse_parallel
    from advisor.bench.run.native import import_llama_cpp

    sequences = parse_parallel(args.parallel) if args.parallel is not None else None

    llama_cpp = import_llama_cpp()  # fail first, before any other work
    from advisor.bench.model_file.identity import describe_file
    from advisor.bench.model_file.source import resolve_source
    from advisor.bench.plan import BenchPlan
    from advisor.probe import machine_fingerprint, probe_machine

    source = resolve_source(
        args.file,
        args.model,
        args.quant,
        download=args.download,
        catalog_path=getattr(args, "catalog", None),
    )
    model_file = dataclasses.replace(
        describe_file(source.path), model_id=source.model_id, quant=source.quant
    )
    _check_header(source.path)
    machine = probe_machine()
    context = args.prompt_tokens + args.gen_tokens
    if sequences is not None:
        context *= max(sequences)
    n_gpu_layers, prediction = _offload(args, llama_cpp, machine, model_file, context)
    plan = BenchPlan(
        path=source.path,
        n_gpu_layers=n_gpu_layers,
        budget_s=args.budget,
        n_threads=args.threads,
        n_prompt=args.prompt_tokens,
        n_gen=args.gen_tokens,
        kv_type=args.kv_type,
        flash_attn=args.flash_attn,
        max_runs=args.runs,
        verbose=args.verbose,
    )
    if sequences is not None:
        from advisor.commands.bench_parallel import run_parallel

        return run_parallel(args, plan, sequences, model_file, machine, started, clock)
    measurement = _run(plan, model_file, machine_fingerprint(machine), started)
    measurement = dataclasses.replace(
        measurement,
        estimated_decode_tokens_per_s=prediction.decode_tokens_per_s,
        estimated_prefill_tokens_per_s=prediction.prefill_tokens_per_s,
        notes=measurement.notes + _calibration_note(machine, measurement, prediction),
    )
    measurement = _recheck_bandwidth(machine, measurement, prediction)
    _store_and_print(measurement, args)
    if not measurement.interrupted and not args.no_probes:
        _probe_kernel_paths(llama_cpp, machine, measurement)
    return int(ExitCode.INTERRUPTED if measurement.interrupted else ExitCode.OK)


def _check_header(path) -> None:
    """Refuse, naming the key, a header llama.cpp would refuse or abort on (no block, a NaN
    epsilon, more experts in use than there are) before it sees the file."""
    from advisor.catalog.gguf.checks import check_model_file
    from advisor.catalog.gguf.file import read_model_file

    check_model_file(read_model_file(path))


def _probe_kernel_paths(llama_cpp, machine, measurement) -> None:
    """After a CPU run that calibrates, the kernel-path probes (advisor.bench.kernels.probes), once
    per machine, backend and llama.cpp version: they let the calibration carry across quants."""
    from advisor.bench.calibrate.estimates import can_calibrate
    from advisor.bench.kernels.probes import PROBE_QUANTS, needs_probes, run_probes
    from advisor.bench.store.db import BenchStore
    from advisor.console import note, warning
    from advisor.errors import AdvisorError

    s = measurement.settings
    if measurement.placement != "cpu" or not can_calibrate(machine, measurement):
        return
    try:
        with BenchStore() as store:
            if not needs_probes(store, measurement.machine_fingerprint, s.backend,
                                s.llama_cpp_version):  # fmt: skip
                return
            note(f"measuring this CPU's kernel paths once ({len(PROBE_QUANTS)} generated "
                 "models, about a minute; --no-probes skips this)")  # fmt: skip
            runs, failed = run_probes(lambda path, quant: _probe(machine, path, measurement),
                                      llama_cpp, s.n_threads)  # fmt: skip
            for run in runs:
                store.add(run)
    except AdvisorError as err:  # the main run is stored: a probe failing costs only transfer
        failed = [err.message]
    for line in failed:
        warning(f"a kernel-path probe did not finish ({line}); calibration from this run "
                "still applies to files of its own quant type")  # fmt: skip


def _probe(machine, path, main):
    """One probe's run, with the estimator's prediction stored beside it."""
    from advisor.bench.calibrate.estimates import predict
    from advisor.bench.kernels.probes import PROBE_BUDGET_S, PROBE_RUNS
    from advisor.bench.model_file.identity import describe_file
    from advisor.bench.plan import BenchPlan
    from advisor.bench.run.runner import run_bench

    model_file = describe_file(path)
    guess = predict(machine, model_file, context_tokens=640, gpu_layers=0)
    plan = BenchPlan(path=path, n_gpu_layers=0, budget_s=PROBE_BUDGET_S, max_runs=PROBE_RUNS,
                     n_threads=main.settings.n_threads)  # fmt: skip
    run = run_bench(plan, model_file, main.machine_fingerprint, clock=clock)  # the command's
    return dataclasses.replace(
        run,
        estimated_decode_tokens_per_s=guess.decode_tokens_per_s,
        estimated_prefill_tokens_per_s=guess.prefill_tokens_per_s,
    )


def _calibration_note(machine, measurement, prediction) -> tuple[str, ...]:
    """Why this run will not calibrate estimates, if it will not."""
    from advisor.bench.calibrate.estimates import can_calibrate

    s = measurement.settings
    if not s.is_standard:
        return (
            f"pp{s.n_prompt}/tg{s.n_gen} is not pp512/tg128: stored, but not used for calibration",
        )
    if not can_calibrate(machine, measurement):
        cores = machine.cpu.physical_cores
        return (
            f"{s.n_threads} threads, not this machine's {cores} physical cores: stored, "
            "but not used for calibration",
        )
    if prediction.reason:
        return (f"{prediction.reason}; this run cannot calibrate estimates",)
    return ()


def _recheck_bandwidth(machine, measurement, prediction):
    """The run with a note when it disagreed with the RAM bandwidth figure (tested again)."""
    from advisor.bench.calibrate.bandwidth_check import recheck_bandwidth

    _, note = recheck_bandwidth(machine, measurement, prediction.decode_tokens_per_s)
    if note is None:
        return measurement
    return dataclasses.replace(measurement, notes=measurement.notes + (note,))


def _offload(args, llama_cpp, machine, model_file, context: int | None = None):
    """(-ngl to use, the estimator's prediction for it) at `context` tokens of KV cache
    (default: one prompt and its generation)."""
    from advisor.bench.calibrate.estimates import predict
    from advisor.console import warning

    if context is None:
        context = args.prompt_tokens + args.gen_tokens

    def estimate_for(gpu_layers: int | None):
        return predict(
            machine, model_file, context_tokens=context, kv_type=args.kv_type, gpu_layers=gpu_layers
        )

    if not llama_cpp.llama_supports_gpu_offload():
        if args.gpu_layers:
            warning("this llama-cpp-python build has no GPU backend; the test runs on the CPU")
        return 0, estimate_for(0)
    if args.gpu_layers is not None:
        return args.gpu_layers, estimate_for(args.gpu_layers)
    recommended = estimate_for(None)
    if recommended.gpu_layers is None:
        warning(f"{recommended.reason}; offloading every layer, as llama-bench does")
        return -1, recommended
    return recommended.gpu_layers, recommended


def _run(plan, model_file, fingerprint, started: float):
    import sys

    from advisor.bench.run.child import run_bench_in_child
    from advisor.commands.bench_view import describe, progress_bar, terminal_stream

    stream = terminal_stream()
    try:
        if plan.verbose:

            def say(event):
                stream.write(f"advisor bench: {describe(event)}\n")

            return run_bench_in_child(
                plan, model_file, fingerprint, say, started=started, clock=clock
            )
        with progress_bar(stream, plan.budget_s, enabled=stream.isatty()) as update:
            return run_bench_in_child(
                plan, model_file, fingerprint, update, started=started, clock=clock
            )
    finally:
        if stream is not sys.stderr:
            stream.close()


def _store_and_print(measurement, args) -> None:
    """Print the results, then store them: a store that cannot be written loses nothing.
    (--json waits for the store, to carry the run's id; it is printed whatever happens.)"""
    if not getattr(args, "json", False):
        print(_render_text(measurement, None), flush=True)
    run_id, where, failure = None, None, None
    if measurement.has_results:
        run_id, where, failure = _store(measurement)
    if getattr(args, "json", False):
        _print_json(measurement, run_id)
    elif where:
        print(f"stored     {where}")
    if failure is not None:
        raise failure


def _store(measurement):
    """(run id, where it is, None), or (None, None, the WriteError) when it cannot be stored."""
    from advisor.bench.store.db import BenchStore

    try:
        with BenchStore() as store:
            run_id = store.add(measurement)
            return run_id, f"run #{run_id} in {store.path}", None
    except (WriteError, InputError) as exc:  # read-only, full, or not a store at all
        return None, None, exc


def _render_text(measurement, where) -> str:
    from advisor.commands.bench_view import render_measurement

    return render_measurement(measurement, where)


def _print_json(measurement, run_id) -> None:
    from advisor.bench.store.codec import measurement_to_dict

    print(json.dumps({"id": run_id, **measurement_to_dict(measurement)}, indent=2))


def _history(args) -> int:
    """Stored single runs, then the batched (--parallel) runs, newest first."""
    from advisor.bench.batched import batched_to_dict
    from advisor.bench.store.codec import measurement_to_dict
    from advisor.bench.store.db import BenchStore, default_store_path
    from advisor.commands.bench_view import render_history

    runs, batched = [], []
    if default_store_path().exists():
        with BenchStore() as store:
            runs = store.history()
            batched = store.batched_history()[::-1]
    if getattr(args, "json", False):
        rows = [{"id": r.id, "kind": "single", **measurement_to_dict(r.measurement)} for r in runs]
        rows += [{"id": r.id, **batched_to_dict(r.measurement)} for r in batched]
        rows.sort(key=lambda row: row["started_at"], reverse=True)
        out(json.dumps(rows, indent=2))
    else:
        out(render_history(runs, None, batched))
    return int(ExitCode.OK)
