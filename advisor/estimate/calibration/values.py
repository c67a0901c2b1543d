"""The calibration's values: the runs handed in by advisor.bench, one machine's Calibration, and
the Target an estimate is of (the rule: the docstring of advisor.estimate.calibration)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from advisor.estimate.placement import PlacementKind
from advisor.estimate.speed.load import quant_class

SHRINK_K = 1.0
# A run speaks for files from 1/SIZE_SPAN to SIZE_SPAN times its own file's size: within
# that, the share of a token's time that is per-layer overhead (small files) or reads from
# RAM rather than cache (files past the last-level cache) stays about the same.
SIZE_SPAN = 8.0
# Repetitions spread wider than this (stdev / mean) were disturbed by other work: llama-bench's
# own rounds on this project's busy 2-core machine spread by about 6%.
MAX_SPREAD = 0.15
# Measured/estimated ratios nearer 1 than this (in log space) are within what repeated runs of
# one file on one machine move by (the ~6% above), so they are no evidence that the estimate is
# off: a factor applies only beyond this band, and only by the part beyond it. Without it, files
# whose estimates were already within a few percent moved each other further away
# (benchmarks/calibration_transfer.py, 2026-12-07: prefill 0.4-4.2 points further on all three).
RUN_NOISE = 0.06
PLACEMENT_KINDS: tuple[PlacementKind, ...] = ("gpu", "partial", "cpu")
Test = Literal["decode", "prefill"]


@dataclass(frozen=True)
class CalibrationRun:
    """One throughput test beside the estimator's uncalibrated prediction for it."""

    file_identity: str  # the file that ran (size and header hash): runs of one file count once
    backend: str
    placement: PlacementKind
    quant_class: str | None  # the file's kernel path (speed_load.quant_class); None: unknown
    file_bytes: int
    decode_ratio: float | None  # measured / estimated; None without either
    prefill_ratio: float | None
    decode_spread: float = 0.0  # sample stdev / mean of the test's repetitions
    prefill_spread: float = 0.0
    probe_shape: str | None = None  # a generated kernel-path probe: the shape it was made in


def ratio(measured_tokens_per_s: float | None, estimated: float | None) -> float | None:
    """measured / estimated, or None when either is missing or the estimate is not positive."""
    if measured_tokens_per_s is None or not estimated or estimated <= 0:
        return None
    return measured_tokens_per_s / estimated


def within_size_span(file_bytes: int, weights_bytes: int | None) -> bool:
    """Whether a run of a `file_bytes` file speaks for weights of `weights_bytes` (SIZE_SPAN)."""
    if weights_bytes is None or weights_bytes <= 0:
        return False
    return file_bytes / SIZE_SPAN <= weights_bytes <= file_bytes * SIZE_SPAN


@dataclass(frozen=True)
class FileRatio:
    """One file's runs, reduced to the median ratio per test (disturbed tests left out)."""

    file_identity: str
    backend: str
    placement: PlacementKind
    quant_class: str
    file_bytes: int
    decode: float | None
    prefill: float | None
    decode_runs: int
    prefill_runs: int
    probe_shape: str | None = None

    def value(self, test: Test) -> float | None:
        return self.decode if test == "decode" else self.prefill

    def runs(self, test: Test) -> int:
        return self.decode_runs if test == "decode" else self.prefill_runs

    def covers_size(self, weights_bytes: int | None) -> bool:
        return within_size_span(self.file_bytes, weights_bytes)


@dataclass(frozen=True)
class Factor:
    """measured / estimated for one test of one estimate, after shrinkage."""

    value: float
    raw_median: float
    runs: int
    files: int
    through_probes: bool = False  # some file spoke for another kernel path via the probes


@dataclass(frozen=True)
class Scaling:
    """What a calibration does to one estimate: a factor per test, where it has one."""

    decode: Factor | None
    prefill: Factor | None

    @property
    def runs(self) -> int:
        return max(self.decode.runs if self.decode else 0, self.prefill.runs if self.prefill else 0)


@dataclass(frozen=True)
class MeasuredModel:
    """A standard (pp512/tg128) measurement of one file on this machine."""

    model_id: str | None  # the catalog model the file is, when known
    quant: str | None
    backend: str
    placement: PlacementKind
    decode_tokens_per_s: float | None
    prefill_tokens_per_s: float | None
    file_identity: str | None = None  # ModelFile.identity: size and header hash

    def matches(self, model_id: str | None, quant: str | None, file_identity: str | None) -> bool:
        if file_identity is not None and self.file_identity == file_identity:
            return True
        if not (model_id and quant and self.model_id and self.quant):
            return False
        return (self.model_id.lower(), self.quant.upper()) == (model_id.lower(), quant.upper())


@dataclass(frozen=True)
class BatchedRun:
    """One batched throughput test: how a step's time grows with the sequences, measured
    over estimated (the median over its B >= 2)."""

    file_identity: str
    backend: str
    placement: PlacementKind
    growth_ratio: float
    quant_class: str | None = None  # the file's kernel path; None: unknown (speaks for none)
    file_bytes: int = 0


@dataclass(frozen=True)
class BatchedFile:
    """One file's batched runs, reduced to their median growth ratio."""

    file_identity: str
    backend: str
    placement: PlacementKind
    quant_class: str
    file_bytes: int
    growth: float
    runs: int

    def covers_size(self, weights_bytes: int | None) -> bool:
        return within_size_span(self.file_bytes, weights_bytes)


@dataclass(frozen=True)
class BatchedGroup:
    """The batched files that speak for one estimate, combined by the calibration rule."""

    backend: str
    placement: PlacementKind
    growth: Factor
    quant_class: str = ""


@dataclass(frozen=True)
class Calibration:
    """One machine's calibration: each measured file's ratios, and its measured figures."""

    machine_fingerprint: str
    files: tuple[FileRatio, ...]
    measured: tuple[MeasuredModel, ...] = ()
    disturbed_tests: int = 0  # tests left out: their repetitions spread past MAX_SPREAD
    batched: tuple[BatchedFile, ...] = ()  # from advisor bench --parallel runs

    def measured_for(
        self,
        model_id: str | None,
        quant: str | None,
        backend: str,
        placement: PlacementKind,
        file_identity: str | None = None,
    ) -> MeasuredModel | None:
        """The latest run of this file (by identity) or catalog model and quant, if any."""
        for m in reversed(self.measured):
            if (m.backend, m.placement) == (backend, placement) and m.matches(
                model_id, quant, file_identity
            ):
                return m
        return None

    @property
    def runs(self) -> int:
        return sum(max(f.decode_runs, f.prefill_runs) for f in self.files)

    def probe_ratio(self, test: Test, backend: str, placement: str, shape: str,
                    path: str) -> float | None:  # fmt: skip
        """The probe of `path` in `shape`: measured / estimated, if it ran undisturbed."""
        for f in self.files:
            if (f.probe_shape, f.quant_class, f.backend, f.placement) == (
                    shape, path, backend, placement):  # fmt: skip
                return f.value(test)
        return None

    def path_ratio(self, test: Test, backend: str, placement: str, to_path: str,
                   from_path: str) -> float | None:  # fmt: skip
        """probe_to / probe_from, from probes of one shape: how much more (or less) the
        estimator misses `to_path` than `from_path` on this machine."""
        shapes = {f.probe_shape for f in self.files if f.probe_shape is not None}
        for shape in sorted(shapes):
            to = self.probe_ratio(test, backend, placement, shape, to_path)
            frm = self.probe_ratio(test, backend, placement, shape, from_path)
            if to is not None and frm is not None:
                return to / frm
        return None


@dataclass(frozen=True)
class Target:
    """What an estimate is of, as far as a calibration's scope is concerned."""

    machine_fingerprint: str
    backend: str
    placement: PlacementKind
    model_id: str | None = None
    quant: str | None = None
    file_identity: str | None = None  # ModelFile.identity, for a file rather than a catalog entry
    weights_bytes: int | None = None  # the file's weights: runs speak only for similar sizes

    @property
    def quant_class(self) -> str | None:
        return quant_class(self.quant) if self.quant else None
