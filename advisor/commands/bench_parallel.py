"""`advisor bench FILE --parallel 1,2,4,8`: run, store and print the batched throughput test."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from advisor.errors import ExitCode, WriteError


def run_parallel(args: argparse.Namespace, plan, sequences: tuple[int, ...], model_file,
                 machine, started: float, clock: Callable[[], float]) -> int:  # fmt: skip
    """`started`: the command's start, a reading of `clock` (advisor.commands.bench.clock,
    which tests replace; the budget counts from there)."""
    from advisor.bench.calibrate.estimates import with_batched_estimates
    from advisor.probe import machine_fingerprint

    measurement = _run(plan, sequences, model_file, machine_fingerprint(machine), started, clock)
    measurement = with_batched_estimates(machine, measurement)
    _store_and_print(measurement, args)
    return int(ExitCode.INTERRUPTED if measurement.interrupted else ExitCode.OK)


def _run(plan, sequences, model_file, fingerprint, started: float, clock: Callable[[], float]):
    from advisor.bench.run.batched_runner import run_batched
    from advisor.bench.run.child import run_in_child
    from advisor.commands.bench_view import describe, progress_bar, terminal_stream

    args = (plan, sequences, model_file, fingerprint)  # llama.cpp in a child: see bench.child
    stream = terminal_stream()
    try:
        if plan.verbose:

            def say(event):
                stream.write(f"advisor bench: {describe(event)}\n")

            return run_in_child(run_batched, args, plan, say, started=started, clock=clock)
        with progress_bar(stream, plan.budget_s, enabled=stream.isatty()) as update:
            return run_in_child(run_batched, args, plan, update, started=started, clock=clock)
    finally:
        if stream is not sys.stderr:
            stream.close()


def _store_and_print(measurement, args) -> None:
    from advisor.bench.store.db import BenchStore

    if not measurement.has_results:
        _print(measurement, None, None, args)
        return
    try:
        with BenchStore() as store:
            run_id = store.add_batched(measurement)
            where = f"parallel run #{run_id} in {store.path}"
    except WriteError:
        _print(measurement, None, None, args)  # the numbers are not lost with the store
        raise
    _print(measurement, run_id, where, args)


def _print(measurement, run_id, where, args) -> None:
    from advisor.bench.batched import batched_to_dict
    from advisor.commands.bench_view import render_batched

    if getattr(args, "json", False):
        print(json.dumps({"id": run_id, **batched_to_dict(measurement)}, indent=2))
    else:
        print(render_batched(measurement, where))
