"""Workloads: what a person or team asks of a model each day, and how fast and good it must be.

Presets ship in profiles/workloads/*.yaml; users add their own in user_config_dir()/workloads/
or pass a file with --workload FILE. Files are validated strictly (pydantic, through
advisor.files.strict): an error names the file, the line and the key. A set of files read before
comes from the user cache (advisor.files.disk_cache) while none of them changed.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from advisor.catalog.fields import Task
from advisor.errors import NotFoundError, WorkloadError
from advisor.files.disk_cache import cached
from advisor.files.strict import FORBID, KeyProblem, checked_after, shown
from advisor.paths import user_config_dir, workloads_compiled_path, workloads_dir

Access = Literal["interactive", "programmatic"]
FirstTokenCall = Literal["warm", "cold"]
# May the workload's prompts leave the building? "forbidden": local, or not viable here.
CloudUse = Literal["allowed", "forbidden"]
QualityIndex = Literal["intelligence_index", "coding_index"]

# Weeks in a month on average (365.25 / 7 / 12): turns days per week into days per month.
WEEKS_PER_MONTH = 365.25 / 7 / 12

_SUFFIXES = (".yaml", ".yml", ".json")
# The modules whose code turns workload files into Workloads (see advisor.files.disk_cache).
CODE = (
    "advisor.files.strict",
    "advisor.files.yamlpos",
    "advisor.files.docload",
    "advisor.catalog.fields",
    "advisor.files.yamldoc",
    "advisor.workload",
)
# What decides that a preset's parsed document passes and what Workload it becomes: its seal in
# workloads.compiled.json covers their source (advisor.catalog.trusted, as for the catalog).
SEALED_BY = (*CODE, "advisor.catalog.trusted")
COMPILED_FORMAT = 1


def quality_index_for(task: str) -> QualityIndex:
    """The Artificial Analysis index a task is judged on; API models publish these two."""
    return "coding_index" if task == "coding" else "intelligence_index"


def _consistent(w: Workload) -> Workload:
    """The checks across a workload's fields (run by pydantic once each field is valid)."""
    _check_ranges(w)
    _check_routine(w)
    call = w.input_tokens_per_request + w.output_tokens_per_request
    if call > w.context_tokens:
        raise KeyProblem(
            ("context_tokens",),
            f"context_tokens ({w.context_tokens}) is smaller than one call's input plus "
            f"output tokens ({call})",
        )
    for key in w.justification:
        if key not in w.__dataclass_fields__:
            raise KeyProblem(("justification", key), "is not a workload field to justify")
    return w


@dataclass(frozen=True)
class Workload:
    """One workload. Token counts are per model call; a request may make several calls."""

    # Building one checks nothing: files and form input go through advisor.files.strict.validate.
    __pydantic_config__ = FORBID
    __get_pydantic_core_schema__ = checked_after(_consistent)

    name: str
    title: str
    task: Task
    access: Access  # programmatic: called by a program, so interactive-only plans can't serve it
    requests_per_day: float
    input_tokens_per_request: int
    output_tokens_per_request: int
    context_tokens: int
    min_decode_tokens_per_s: float
    max_time_to_first_token_s: float | None  # None: no limit (batch work)
    concurrency: int
    hours_per_day: float
    quality_floor_pct: float  # of the best frontier model's index on this task
    description: str = ""
    model_calls_per_request: int = 1  # agent steps per user request
    # Share of each call's input that repeats the previous call's prefix: billed at the cached
    # rate by APIs and served from llama.cpp's KV cache locally, so it is not prefilled again.
    cached_input_share: float = 0.0
    users: int = 1  # people sharing it: the seats a subscription needs
    # The busiest working hour's requests over the average working hour's (>= 1): what a
    # shared server must keep up with (advisor.team). None: not stated.
    peak_factor: float | None = None
    days_per_week: float = 7.0
    routine_share: float = 0.0  # share of requests a weaker model handles well enough
    routine_quality_floor_pct: float | None = None
    # Which call max_time_to_first_token_s limits: "warm", a call whose repeated prefix is
    # cached (a chat turn, an agent step: the usual call), or "cold", the first call of a
    # session, which prefills its whole input. Reports show both.
    first_token_call: FirstTokenCall = "warm"
    cloud: CloudUse = "allowed"
    justification: dict[str, str] = field(default_factory=dict)
    origin: str = "preset"  # set by the loader: "preset", "user" or the file's path
    # The user's own quality floor (% of the frontier, 0 to 100): it replaces
    # quality_floor_pct, and is the only floor a model with no published score is judged
    # against (0: any quality will do). From the file's key or --min-quality (with_user_floor).
    min_quality_pct: float | None = None
    min_quality_from: str | None = None  # set by advisor: where min_quality_pct was given

    @property
    def users_floor(self) -> bool:
        """Whether the quality floor is one the user gave (min_quality_pct), not a preset's."""
        return self.min_quality_pct is not None

    @property
    def floor_owner(self) -> str:
        """Whose quality floor this is, in words: "the chat-assistant preset's" or
        "yours: --min-quality 0"."""
        if self.min_quality_pct is not None:
            return f"yours: {self.min_quality_from or 'min_quality_pct'}"
        if self.origin == "preset":
            return f"the {self.name} preset's"
        return f"your workload file's: {self.origin}"

    @property
    def quality_index(self) -> QualityIndex:
        return quality_index_for(self.task)

    @property
    def calls_per_day(self) -> float:
        return self.requests_per_day * self.model_calls_per_request

    @property
    def days_per_month(self) -> float:
        return self.days_per_week * WEEKS_PER_MONTH

    @property
    def new_input_tokens_per_call(self) -> float:
        """Input each call must prefill: the part not served from a cache."""
        return self.input_tokens_per_request * (1.0 - self.cached_input_share)

    @property
    def first_token_prompt(self) -> tuple[float, float]:
        """(new, cached) input tokens of the call the time-to-first-token limit applies to."""
        if self.first_token_call == "cold":
            return float(self.input_tokens_per_request), 0.0
        new = self.new_input_tokens_per_call
        return new, self.input_tokens_per_request - new

    @property
    def tokens_per_day(self) -> float:
        per_call = self.input_tokens_per_request + self.output_tokens_per_request
        return self.calls_per_day * per_call


# Upper bounds far past any real workload: a figure beyond them is a typo or an attack, and
# would overflow the cost arithmetic (1e308 requests a day) or never finish a search.
_MOST = {
    "requests_per_day": 1e8,
    "input_tokens_per_request": 100_000_000,
    "output_tokens_per_request": 100_000_000,
    "context_tokens": 100_000_000,
    "concurrency": 100_000,
    "model_calls_per_request": 10_000,
    "users": 10_000_000,
    "min_decode_tokens_per_s": 1e6,
    "max_time_to_first_token_s": 1e7,
}


def _check_ranges(w: Workload) -> None:
    _check_bounded(w)
    positive = {
        "requests_per_day": w.requests_per_day,
        "input_tokens_per_request": w.input_tokens_per_request,
        "output_tokens_per_request": w.output_tokens_per_request,
        "context_tokens": w.context_tokens,
        "concurrency": w.concurrency,
        "model_calls_per_request": w.model_calls_per_request,
        "users": w.users,
    }
    for key, value in positive.items():
        if value <= 0:
            raise KeyProblem((key,), f"must be positive, got {value}")
    if w.min_decode_tokens_per_s < 0:
        raise KeyProblem(("min_decode_tokens_per_s",), "must be 0 or more")
    if w.max_time_to_first_token_s is not None and w.max_time_to_first_token_s <= 0:
        raise KeyProblem(("max_time_to_first_token_s",), "must be positive, or null for no limit")
    bounds = {
        "hours_per_day": (w.hours_per_day, 24),
        "days_per_week": (w.days_per_week, 7),
        "quality_floor_pct": (w.quality_floor_pct, 100),
    }
    if w.min_quality_pct is not None:
        if not 0 <= w.min_quality_pct <= 100:
            raise KeyProblem(
                ("min_quality_pct",),
                f"must be from 0 (any quality will do) to 100, got {w.min_quality_pct}",
            )
        del bounds["quality_floor_pct"]  # with_user_floor sets it to min_quality_pct
    for key, (value, top) in bounds.items():
        if not 0 < value <= top:
            raise KeyProblem((key,), f"must be more than 0 and at most {top}, got {value}")
    if w.peak_factor is not None and not 1 <= w.peak_factor <= w.hours_per_day:
        raise KeyProblem(
            ("peak_factor",),
            f"must be at least 1 (the busiest hour over the average working hour) and at most "
            f"hours_per_day ({w.hours_per_day:g}: every request in one hour), got {w.peak_factor}",
        )
    for key in ("cached_input_share", "routine_share"):
        if not 0 <= getattr(w, key) < 1:
            raise KeyProblem(
                (key,), f"must be a share from 0 up to (not including) 1, got {getattr(w, key)}"
            )


def _check_bounded(w: Workload) -> None:
    """Every number finite (NaN passes every comparison below) and none absurdly large."""
    for f in w.__dataclass_fields__:
        value = getattr(w, f)
        if isinstance(value, float) and not math.isfinite(value):
            raise KeyProblem((f,), f"must be a finite number, got {value}")
    for key, top in _MOST.items():
        value = getattr(w, key)
        if value is not None and value > top:
            raise KeyProblem((key,), f"must be at most {shown(top)}, got {shown(value)}")


def _check_routine(w: Workload) -> None:
    floor = w.routine_quality_floor_pct
    if w.routine_share > 0 and floor is None:
        raise KeyProblem(("routine_share",), "is set, so routine_quality_floor_pct is needed too")
    if floor is not None and not 0 < floor < w.quality_floor_pct:
        raise KeyProblem(
            ("routine_quality_floor_pct",),
            f"must be positive and below quality_floor_pct ({w.quality_floor_pct}), got {floor}",
        )


def load_workload_file(path: str | Path, *, origin: str | None = None) -> Workload:
    """Read and validate one workload file; its name defaults to the file's stem."""
    from pydantic import ValidationError

    from advisor.files.strict import validate
    from advisor.files.yamldoc import read_mapping, validation_error
    from advisor.files.yamlpos import line_in_file

    path = Path(path)
    data = read_mapping(path, WorkloadError, what="workload")
    for key in ("origin", "min_quality_from"):
        if key in data:
            raise WorkloadError(
                f"{key} is set by advisor, not by the file",
                path=path,
                line=line_in_file(path, [key]),
            )
    if not all(isinstance(key, str) for key in data):  # e.g. `1: x`
        raise WorkloadError("unexpected keys: keywords must be strings", path=path)
    data.setdefault("name", path.stem)
    data["origin"] = origin or str(path)
    try:
        workload = validate(Workload, data)
    except ValidationError as exc:
        raise validation_error(WorkloadError, path, exc, what="workload") from exc
    if workload.min_quality_pct is None:
        return workload
    return with_user_floor(workload, workload.min_quality_pct, f"min_quality_pct in {path.name}")


def with_user_floor(workload: Workload, pct: float, given_by: str) -> Workload:
    """The workload judged against the user's own quality floor `pct` (given by `given_by`:
    the flag or the file's key). A routine share whose floor is not below it goes: every call
    may then run on what passes the whole floor."""
    import dataclasses

    routine: dict = {}
    floor = workload.routine_quality_floor_pct
    if floor is not None and floor >= pct:
        routine = {"routine_share": 0.0, "routine_quality_floor_pct": None}
    return dataclasses.replace(workload, quality_floor_pct=pct, min_quality_pct=pct,
                               min_quality_from=given_by, **routine)  # fmt: skip


def user_workloads_dir() -> Path:
    return user_config_dir() / "workloads"


def _named_files() -> dict[str, tuple[Path, str]]:
    """Workload name -> (file, origin). The user's own files override presets of that name."""
    found: dict[str, tuple[Path, str]] = {}
    for folder, origin in ((workloads_dir(), "preset"), (user_workloads_dir(), "user")):
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.suffix in _SUFFIXES:
                    found[path.stem] = (path, origin)
    return found


def workload_names() -> tuple[str, ...]:
    return tuple(_named_files())


def load_workloads(specs: tuple[str, ...] | list[str] = ()) -> tuple[Workload, ...]:
    """Workloads by name or file; with no specs, every preset and user workload."""
    named = _named_files()
    chosen: list[tuple[Path, str | None]] = (
        [_one(spec, named) for spec in specs] if specs else list(named.values())
    )
    workloads = _load_files(chosen)
    names = [w.name for w in workloads]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if specs and duplicates:
        raise WorkloadError(f"workload named more than once: {', '.join(duplicates)}")
    return workloads


def _load_files(chosen: list[tuple[Path, str | None]]) -> tuple[Workload, ...]:
    """The workloads in these (file, origin) pairs; from the user cache while they are unchanged,
    else a shipped preset from its sealed compiled form, else the file read and validated."""

    def build() -> tuple[Workload, ...]:
        sealed = sealed_presets() if any(_is_preset(path) for path, _ in chosen) else {}
        return tuple(_load_one(path, origin, sealed) for path, origin in chosen)

    return cached(
        "workloads",
        [path for path, _ in chosen],
        build,
        code=SEALED_BY,
        params=tuple((str(path), origin) for path, origin in chosen),
    )


def _is_preset(path: Path) -> bool:
    return path.suffix in _SUFFIXES and path.parent.resolve() == workloads_dir().resolve()


def _load_one(path: Path, origin: str | None, sealed: dict[str, dict]) -> Workload:
    """A shipped preset whose bytes the sealed compiled form was built from is built from it
    without pydantic or PyYAML (~100 ms of a first run); any other file is read and validated."""
    entry = sealed.get(path.name) if _is_preset(path) else None
    if entry is not None:
        from advisor.catalog.trusted import Untrusted, build
        from advisor.files.regular import read_regular

        try:
            same = hashlib.sha256(read_regular(path)).hexdigest() == entry["sha256"]
            data = dict(entry["data"])  # a copy: the steps below set keys in it
            if same and not {"origin", "min_quality_from"} & set(data):
                data.setdefault("name", path.stem)
                data["origin"] = origin or str(path)
                workload = build(Workload, data)
                if workload.min_quality_pct is None:
                    return workload
                where = f"min_quality_pct in {path.name}"
                return with_user_floor(workload, workload.min_quality_pct, where)
        except (OSError, ValueError, TypeError, KeyError, Untrusted):
            pass  # read for real below: the file or the schema says what is wrong
    return load_workload_file(path, origin=origin)


def sealed_presets() -> dict[str, dict]:
    """File name -> {"sha256": of the preset's bytes, "data": its parsed document}
    from workloads.compiled.json, when the seal on it holds (scripts/compile_workloads.py
    validated those documents with the schema as it is now); else empty."""
    from advisor.catalog.trusted import seal

    try:
        entry = json.loads(workloads_compiled_path().read_bytes())
        presets = entry["presets"]
        document = json.dumps(presets, separators=(",", ":")).encode()
        valid = entry["format"] == COMPILED_FORMAT and entry["validated_by"] == seal(
            document, SEALED_BY
        )
    except (OSError, ValueError, TypeError, KeyError):
        return {}  # absent, unreadable or corrupt: every preset is read and validated
    return presets if valid and isinstance(presets, dict) else {}


def _one(spec: str, named: dict[str, tuple[Path, str]]) -> tuple[Path, str | None]:
    """The (file, origin) a --workload argument names; origin None means the path itself."""
    path = Path(spec).expanduser()
    if path.suffix in _SUFFIXES or path.exists() or "/" in spec:
        return path, None
    if spec in named:
        return named[spec]
    raise NotFoundError(
        f"no workload named {spec!r}",
        hint=f"known workloads: {', '.join(named) or 'none'}; or pass a YAML file",
    )
