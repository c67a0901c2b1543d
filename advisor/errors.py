"""The AdvisorError tree and the exit codes the CLI returns for each kind of failure."""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """What the process exit status means. Scripts may rely on these numbers."""

    OK = 0
    FAILURE = 1  # an unexpected failure: a bug, please report it
    USAGE = 2  # bad command line (argparse uses 2 as well)
    BAD_INPUT = 3  # a file we were given is broken: catalog, profile, report, GGUF, workload
    NOT_FOUND = 4  # a model id, quant, profile or file that does not exist
    MISSING_DEPENDENCY = 5  # an optional package (llama-cpp-python, huggingface_hub) is absent
    OUT_OF_MEMORY = 6  # the model did not fit when it was really loaded
    BENCH_FAILED = 7  # the throughput test could not finish (budget exceeded, backend error)
    PARTIAL = 8  # the command finished but skipped some inputs (audit with bad reports)
    WRITE_FAILED = 9  # an output or store could not be written; nothing was overwritten
    UNREACHABLE = 10  # Hugging Face or a catalog URL unreachable (no network, offline) or refused
    INTERRUPTED = 130  # Ctrl-C, as shells report it


# What MissingDependencyError says for the optional packages (llama-cpp-python, huggingface_hub):
# both come with the bench extra, installed from the repository (it is on no package index).
BENCH_EXTRA_HINT = "in advisor's repository folder: .venv/bin/pip install -e '.[bench]'"


class AdvisorError(Exception):
    """An error the user can act on: a message, an optional hint and an exit code."""

    exit_code: ExitCode = ExitCode.FAILURE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(AdvisorError):
    exit_code = ExitCode.USAGE


class InputError(AdvisorError):
    """A file is malformed. Names the file and, where known, the line and key."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        key: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.line = line
        self.key = key
        where = ""
        if self.path is not None:
            where = str(self.path)
            if line is not None:
                where += f":{line}"
            where += ": "
        if key:
            where += f"{key}: "
        super().__init__(where + message, hint=hint)
        self.detail = message


class CatalogError(InputError):
    """models.yaml or a user overlay does not validate."""


class ProfileError(InputError):
    """A hardware profile (--profile) does not validate."""


class WorkloadError(InputError):
    """A workload file does not validate."""


class GGUFError(InputError):
    """A GGUF file is corrupt, truncated or not a GGUF at all."""


class ReportError(InputError):
    """A JSON report is unreadable, truncated, foreign or from a newer schema."""


class ConfigError(InputError):
    """The user config file does not validate."""


class NotFoundError(AdvisorError):
    exit_code = ExitCode.NOT_FOUND


class MissingDependencyError(AdvisorError):
    exit_code = ExitCode.MISSING_DEPENDENCY


class OutOfMemoryError(AdvisorError):
    exit_code = ExitCode.OUT_OF_MEMORY


class BenchError(AdvisorError):
    exit_code = ExitCode.BENCH_FAILED


class WriteError(AdvisorError):
    exit_code = ExitCode.WRITE_FAILED


class UnreachableError(AdvisorError):
    """A remote source (the Hugging Face Hub) did not answer, or refused access (gated)."""

    exit_code = ExitCode.UNREACHABLE
