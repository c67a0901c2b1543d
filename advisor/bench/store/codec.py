"""Measurement to and from plain JSON-ready dicts: for `--json`, the store and the report."""

from __future__ import annotations

import dataclasses
from typing import Any

from advisor.bench.measurement import BenchSettings, Measurement, ModelFile, Throughput


def measurement_to_dict(measurement: Measurement) -> dict[str, Any]:
    """Every field, plus the derived means and spreads a reader wants without recomputing."""
    data = dataclasses.asdict(measurement)
    data["unknown"] = dict(measurement.unknown)
    data["notes"] = list(measurement.notes)
    data["model"]["identity"] = measurement.model.identity
    for key in ("prefill", "decode"):
        result: Throughput | None = getattr(measurement, key)
        if result is not None:
            data[key]["samples_tokens_per_s"] = list(result.samples_tokens_per_s)
            data[key]["mean_tokens_per_s"] = result.mean_tokens_per_s
            data[key]["stdev_tokens_per_s"] = result.stdev_tokens_per_s
            data[key]["runs"] = result.runs
    return data


def run_values(data: dict[str, Any], cls: type) -> dict[str, Any]:
    """The keys of `cls` (a run's dataclass) in `data`, with its model file and settings built;
    derived keys (the file's identity, anything `cls` lacks) are ignored."""
    model = dict(data["model"])
    model.pop("identity", None)
    fields = {f.name for f in dataclasses.fields(cls)}
    values = {k: v for k, v in data.items() if k in fields}
    values["model"] = ModelFile(**model)
    values["settings"] = BenchSettings(**data["settings"])
    return values


def measurement_from_dict(data: dict[str, Any]) -> Measurement:
    """The inverse of measurement_to_dict; derived keys are ignored."""
    values = run_values(data, Measurement)
    values["prefill"] = _throughput(data.get("prefill"))
    values["decode"] = _throughput(data.get("decode"))
    values["notes"] = tuple(data.get("notes", ()))
    values["unknown"] = dict(data.get("unknown", {}))
    return Measurement(**values)


def _throughput(data: dict[str, Any] | None) -> Throughput | None:
    if data is None:
        return None
    return Throughput(
        test=data["test"],
        n_tokens=int(data["n_tokens"]),
        samples_tokens_per_s=tuple(float(x) for x in data["samples_tokens_per_s"]),
        joules_per_token=data.get("joules_per_token"),
    )
