"""The estimator's uncalibrated prediction for a benchmarked file: to compare and to calibrate.

A catalog model (the run was labelled with --model/--quant) is estimated from its catalog
entry. Any other file is described from its own GGUF header (the catalog's GGUF reader), so
every run can calibrate, not just catalog ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from advisor.bench.kernels.name import probe_shape
from advisor.bench.measurement import Measurement, ModelFile, Throughput
from advisor.errors import AdvisorError
from advisor.estimate.calibration.values import CalibrationRun, ratio
from advisor.estimate.speed.load import quant_class
from advisor.probe.machine import Machine


@dataclass(frozen=True)
class Observation:
    """One run with the estimator's uncalibrated prediction beside it."""

    measurement: Measurement
    estimated_decode_tokens_per_s: float | None
    estimated_prefill_tokens_per_s: float | None

    @property
    def decode_ratio(self) -> float | None:
        decode = self.measurement.decode
        measured = decode.mean_tokens_per_s if decode else None
        return ratio(measured, self.estimated_decode_tokens_per_s)

    @property
    def prefill_ratio(self) -> float | None:
        prefill = self.measurement.prefill
        measured = prefill.mean_tokens_per_s if prefill else None
        return ratio(measured, self.estimated_prefill_tokens_per_s)

    @property
    def run(self) -> CalibrationRun:
        """The observation as the estimate stage's calibration reads it."""
        m = self.measurement
        file_type = m.model.quant or m.model.file_type
        return CalibrationRun(
            m.model.identity, m.settings.backend, m.placement,
            kernel_path(file_type), m.model.size_bytes,
            self.decode_ratio, self.prefill_ratio, _spread(m.decode), _spread(m.prefill),
            probe_shape(m.model),
        )  # fmt: skip


def kernel_path(file_type: str | None) -> str | None:
    """The kernel path of a file type; None for a type llama.cpp named only by number."""
    if not file_type or file_type.startswith("file type"):
        return None
    return quant_class(file_type)


def _spread(result: Throughput | None) -> float:
    """The repetitions' sample standard deviation over their mean (0 for one repetition)."""
    if result is None or result.mean_tokens_per_s <= 0:
        return 0.0
    return result.stdev_tokens_per_s / result.mean_tokens_per_s


@dataclass(frozen=True)
class Prediction:
    decode_tokens_per_s: float | None
    prefill_tokens_per_s: float | None
    gpu_layers: int | None  # the offload the estimator recommends (-ngl)
    reason: str | None = None  # why there is no prediction


def catalog_entry(model_file: ModelFile, catalog=None):
    """(Model, quant type) for the file: its catalog entry, or one read from its header."""
    if model_file.model_id and model_file.quant:
        from advisor.catalog import load_catalog

        model = (catalog or load_catalog()).find(model_file.model_id)
        if model is not None and model.quant(model_file.quant) is not None:
            return model, model_file.quant.upper()
    from advisor.catalog.add import entry_from_gguf
    from advisor.catalog.gguf.file import read_model_file

    entry = entry_from_gguf(read_model_file(Path(model_file.path)))
    return entry.model, entry.model.quants[0].type


def predict(
    machine: Machine,
    model_file: ModelFile,
    *,
    context_tokens: int,
    kv_type: str = "f16",
    gpu_layers: int | None = None,
    catalog=None,
) -> Prediction:
    """What the estimator says for this file on this machine, before any calibration."""
    from advisor.estimate import estimate

    try:
        model, quant = catalog_entry(model_file, catalog)
        result = estimate(
            machine,
            model,
            quant,
            context_tokens=context_tokens,
            kv_type=kv_type,
            gpu_layers=gpu_layers,
        )
    except AdvisorError as exc:
        return Prediction(None, None, None, f"no estimate for this file: {exc.message}")
    except ValueError as exc:  # the estimator's word for a quant or KV type it does not know
        return Prediction(None, None, None, f"no estimate for this file: {exc}")
    if result.speed is None:
        return Prediction(
            None, None, result.placement.gpu_layers, "the estimator says it won't fit"
        )
    return Prediction(
        result.speed.decode_tokens_per_s,
        result.speed.prefill_tokens_per_s,
        result.placement.gpu_layers,
    )


def can_calibrate(machine: Machine, m: Measurement) -> bool:
    """Runs that test what the estimator predicts: pp512/tg128 with results, on every
    physical core (the estimator assumes llama.cpp's default thread count)."""
    cores = machine.cpu.physical_cores
    return (
        m.settings.is_standard
        and m.has_results
        and (cores is None or m.settings.n_threads == cores)
    )


def observe(machine: Machine, measurements: Iterable[Measurement]) -> list[Observation]:
    """Each run that can calibrate (see can_calibrate) beside the estimator's prediction.

    Predictions are made afresh, so an improved estimator is calibrated against what it now
    says. Where neither the catalog entry nor the very same file (same identity) is still
    there, the estimate stored with the run is used instead.
    """
    catalog = None
    same_file: dict[str, bool] = {}
    predictions: dict[tuple, Prediction] = {}  # one estimate per file and settings
    found = []
    for m in measurements:
        if not can_calibrate(machine, m):
            continue
        fresh = None
        if m.model.model_id and catalog is None:
            from advisor.catalog import load_catalog

            catalog = load_catalog()
        key = (m.model.identity, m.model.model_id, m.model.quant, m.settings.n_ctx,
               m.settings.kv_type, _ngl(m))  # fmt: skip
        if key in predictions:
            fresh = predictions[key]
        elif m.model.model_id or _still_there(m.model, same_file):
            fresh = predictions[key] = predict(
                machine,
                m.model,
                context_tokens=m.settings.n_ctx,
                kv_type=m.settings.kv_type,
                gpu_layers=_ngl(m),
                catalog=catalog,
            )
        if fresh is not None and fresh.reason is None:
            found.append(Observation(m, fresh.decode_tokens_per_s, fresh.prefill_tokens_per_s))
        else:
            stored = (m.estimated_decode_tokens_per_s, m.estimated_prefill_tokens_per_s)
            found.append(Observation(m, *stored))
    return found


def _ngl(m: Measurement) -> int:
    """The run's -ngl with "all" (-1) spelled out, as the estimator counts layers."""
    if m.settings.n_gpu_layers < 0 and m.model.n_layers is not None:
        return m.model.n_layers + 1
    return m.settings.n_gpu_layers


def _still_there(model_file: ModelFile, cache: dict[str, bool]) -> bool:
    """True when the file at the run's path is still the file that ran."""
    if model_file.path not in cache:
        from advisor.bench.model_file.identity import describe_file

        try:
            cache[model_file.path] = describe_file(model_file.path).identity == model_file.identity
        except AdvisorError:
            cache[model_file.path] = False
    return cache[model_file.path]


def with_batched_estimates(machine: Machine, m, catalog=None):
    """A BatchedMeasurement with the estimator's uncalibrated rates beside each B (unchanged,
    plus a note, where the estimator has none for the file)."""
    import dataclasses

    from advisor.estimate import estimate
    from advisor.estimate.speed.batched import batch_model

    try:
        model, quant = catalog_entry(m.model, catalog)
        est = estimate(machine, model, quant, context_tokens=m.settings.n_ctx,
                       kv_type=m.settings.kv_type, gpu_layers=_ngl(m))  # fmt: skip
        bm = batch_model(machine, model, est)
    except AdvisorError as exc:
        return dataclasses.replace(m, notes=m.notes + (f"no estimate: {exc.message}",))
    except ValueError as exc:
        return dataclasses.replace(m, notes=m.notes + (f"no estimate: {exc}",))
    points = []
    for p in m.points:
        speed = bm.speed(p.sequences, p.prompt_tokens, p.generated_tokens)
        points.append(dataclasses.replace(
            p, estimated_prefill_tokens_per_s=speed.prefill_tokens_per_s,
            estimated_decode_tokens_per_s=speed.decode_tokens_per_s))  # fmt: skip
    return dataclasses.replace(m, points=tuple(points))
