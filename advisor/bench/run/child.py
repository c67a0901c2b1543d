"""Runs the throughput test in a child process, so a native abort is an error, not a crash.

llama.cpp ends the whole process on a failed GGML_ASSERT (SIGABRT), and ggml then prints a
backtrace to stdout. In a child that loses nothing: the parent sees the signal, reads what
llama.cpp wrote (the child's stdout and stderr go to a log file) and raises a BenchError that
quotes it, so `advisor bench` exits 7 with llama.cpp's own message and its stdout stays data.

The child reports progress through a pipe and waits for the parent after each event, so what
the parent does with one (draw a bar, pass on a Ctrl-C) happens before the run goes on. The
child has a process group of its own: a Ctrl-C at the terminal reaches the parent only, which
passes each one on, so the first still means "finish the repetition in hand" and the second
"stop at once"; a third ends the child.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import signal
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from advisor.bench.measurement import Measurement, ModelFile
from advisor.bench.plan import BenchPlan, ProgressFn
from advisor.errors import (
    AdvisorError,
    BenchError,
    GGUFError,
    MissingDependencyError,
    OutOfMemoryError,
)

# What llama.cpp writes when it gives up: GGML_ASSERT / GGML_ABORT lines, C++ exceptions;
# failing those, its error lines.
_FATAL = re.compile(r"GGML_ASSERT|GGML_ABORT|terminate called|what\(\):")
_ERROR = re.compile(r"\berror\b|\bfailed\b", re.IGNORECASE)
# The build folder llama-cpp-python was compiled in, which prefixes llama.cpp's file names.
_BUILD_PATH = re.compile(r"\S*/vendor/llama\.cpp/")
_QUOTED_LINES = 3
_ERRORS: dict[str, type[AdvisorError]] = {
    cls.__name__: cls for cls in (BenchError, GGUFError, OutOfMemoryError, MissingDependencyError)
}


def run_bench_in_child(
    plan: BenchPlan,
    model: ModelFile,
    machine_fingerprint: str,
    on_progress: ProgressFn | None = None,
    *,
    started: float,
    clock: Callable[[], float],
) -> Measurement:
    """run_bench in a child process. Same results and errors; a native abort is a BenchError.
    Ctrl-C keeps what finished, as run_bench does; with nothing finished, KeyboardInterrupt."""
    from advisor.bench.run.runner import run_bench

    args = (plan, model, machine_fingerprint)
    return run_in_child(run_bench, args, plan, on_progress, started=started, clock=clock)


def run_in_child(
    runner: Callable[..., Any],
    args: tuple,
    plan: BenchPlan,
    on_progress: Callable[[Any], None] | None,
    *,
    started: float,
    clock: Callable[[], float],
) -> Any:
    """`runner(*args, on_progress, echo=, started=, clock=)` (run_bench, run_batched) in a
    child process; `runner` is a module-level function, found again by name in the child."""
    context = multiprocessing.get_context("spawn")  # no fork: GPU runtimes do not survive it
    receive, send = context.Pipe(duplex=True)
    with tempfile.TemporaryDirectory(prefix="advisor-bench-") as folder:
        log = Path(folder) / "llama.log"
        child = context.Process(
            target=_child_main,
            args=(send, runner, args, plan.verbose, started, clock, str(log)),
            name="advisor-bench",
        )
        interrupts = _Interrupts()
        with interrupts.forwarding():
            child.start()
            interrupts.child = child
            send.close()
            outcome = _follow(receive, child, on_progress)
            child.join()
        receive.close()
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return _result(outcome, child.exitcode, text, plan, interrupts.count)


class _Interrupts:
    """Passes each Ctrl-C the parent gets on to the child; the third ends it."""

    def __init__(self) -> None:
        self.child: Any = None
        self.count = 0

    def _handle(self, signum: int, frame: object) -> None:
        self.count += 1
        child = self.child
        if child is None or child.pid is None:
            return
        if self.count >= 3:
            child.kill()
        elif hasattr(os, "killpg"):
            with contextlib.suppress(OSError):
                os.kill(child.pid, signal.SIGINT)

    @contextlib.contextmanager
    def forwarding(self):
        import threading

        if threading.current_thread() is not threading.main_thread():
            yield
            return
        old = signal.signal(signal.SIGINT, self._handle)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, old)


def _follow(receive, child, on_progress: ProgressFn | None) -> tuple[str, Any]:
    """Relay the child's progress until it sends its outcome or dies."""
    while True:
        try:
            kind, payload = receive.recv()
        except (EOFError, OSError):
            return "died", None
        if kind != "progress":
            return kind, payload
        try:
            if on_progress is not None:
                on_progress(payload)
        finally:
            with contextlib.suppress(OSError):
                receive.send("go on")


def _result(outcome: tuple[str, Any], exitcode: int | None, log: str, plan: BenchPlan,
            interrupts: int) -> Any:  # fmt: skip
    kind, payload = outcome
    if kind == "done":
        return payload
    if kind == "error":
        name, message, hint, path = payload
        cls = _ERRORS.get(name, BenchError)
        if issubclass(cls, GGUFError):
            raise GGUFError(message, path=path, hint=hint)
        raise cls(message, hint=hint)
    if kind == "interrupted" or (interrupts and kind == "died"):
        raise KeyboardInterrupt
    if kind == "crashed":
        raise RuntimeError(f"the throughput test failed in its child process:\n{payload}")
    raise _death(exitcode, log, plan)


def _death(exitcode: int | None, log: str, plan: BenchPlan) -> AdvisorError:
    """The error for a child that died without a word: a signal, most often llama.cpp's abort."""
    said = _what_llama_cpp_said(log)
    quoted = f": {said}" if said else " (it printed nothing)"
    if plan.verbose and not said:
        quoted = " (its log is above)"
    if exitcode is not None and exitcode < 0:
        try:
            how = signal.Signals(-exitcode).name
        except ValueError:
            how = f"signal {-exitcode}"
    else:
        how = f"exit status {exitcode}"
    if exitcode == -getattr(signal, "SIGKILL", 9):
        return OutOfMemoryError(
            f"{plan.path}: the test was killed ({how}), most likely for want of memory{quoted}",
            hint="offload fewer layers with --gpu-layers, or close other programs",
        )
    return BenchError(
        f"{plan.path}: llama.cpp stopped the test ({how}){quoted}",
        hint="the file may be malformed or unsupported by this llama.cpp; "
        "run again with --verbose to see its whole log",
    )


def _what_llama_cpp_said(log: str) -> str | None:
    """The last lines of llama.cpp's output that say why it stopped."""
    lines = [ln.strip() for ln in log.splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith(("#", "[New LWP", "[Thread "))]
    chosen = [ln for ln in lines if _FATAL.search(ln)] or [ln for ln in lines if _ERROR.search(ln)]
    chosen = chosen[-_QUOTED_LINES:] or lines[-_QUOTED_LINES:]
    return "; ".join(_BUILD_PATH.sub("", ln)[:300] for ln in chosen) or None


# --- the child ---------------------------------------------------------------------------


def _child_main(connection, runner, args: tuple, verbose: bool, started: float,
                clock: Callable[[], float], log_path: str) -> None:  # fmt: skip
    if hasattr(os, "setpgrp"):
        os.setpgrp()  # the terminal's Ctrl-C goes to the parent, which passes it on
    # ggml's abort handler would attach gdb and print a backtrace: slow, and of no use here.
    os.environ["GGML_NO_BACKTRACE"] = "1"
    echo = _redirect_output(log_path, verbose)

    def progress(event: Any) -> None:
        connection.send(("progress", event))
        connection.recv()  # the parent has acted on it (a Ctrl-C it passes on is here now)

    try:
        result = runner(*args, progress, echo=echo, started=started, clock=clock)
        connection.send(("done", result))
    except KeyboardInterrupt:
        connection.send(("interrupted", None))
    except AdvisorError as exc:
        path = getattr(exc, "path", None)
        message = getattr(exc, "detail", exc.message) if path is not None else exc.message
        connection.send(("error", (type(exc).__name__, message, exc.hint, path)))
    except (EOFError, BrokenPipeError):
        pass  # the parent is gone: nobody to tell
    except Exception:  # noqa: BLE001 - a bug: the parent reports it with this traceback
        connection.send(("crashed", traceback.format_exc()))
    finally:
        connection.close()


def _redirect_output(log_path: str, verbose: bool) -> IO[str]:
    """Send fds 1 and 2 to the log, where the parent reads them if the child dies; stdout
    never reaches the terminal (it is the parent's data). Returns the stream llama.cpp's log
    callback writes to: the log file, or with --verbose the terminal's stderr."""
    sys.stdout.flush()
    sys.stderr.flush()
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(2 if verbose else log, 1)
    if not verbose:
        os.dup2(log, 2)
    os.close(log)
    if verbose:
        return sys.stderr
    return open(log_path, "a", encoding="utf-8", errors="replace")  # noqa: SIM115 - until exit
