"""A team's demand on a shared server: its people, their working hours, the peak hour.

A workload says what one person (or `users` people) asks each day. A team of N people asks N
times one person's share, spread over the same working hours, and the busiest hour carries
`peak_factor` times the average working hour's requests. The server is judged at that hour.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

from advisor.errors import UsageError
from advisor.workload import Workload

PeakBasis = Literal["flag", "workload", "assumed"]

# Assumption, stated wherever it is used: people who work the same hours bunch their requests
# in the morning and after lunch; twice the average working hour is a common sizing rule for
# office traffic. A workload's `peak_factor` or --peak-factor replaces it.
ASSUMED_PEAK_FACTOR = 2.0
ASSUMED_PEAK_WORDS = (
    "assumed: the busiest hour carries twice the average working hour's requests (set "
    "peak_factor in the workload, or --peak-factor)"
)


@dataclass(frozen=True)
class TeamDemand:
    """The workload scaled to the team, and the rate its busiest hour brings."""

    workload: Workload  # users and requests_per_day are the team's
    peak_factor: float
    peak_basis: PeakBasis
    peak_words: str

    @property
    def users(self) -> int:
        return self.workload.users

    @property
    def average_calls_per_s(self) -> float:
        """Model calls a second over the working hours, on a working day."""
        w = self.workload
        return w.calls_per_day / (w.hours_per_day * 3600.0)

    @property
    def peak_calls_per_s(self) -> float:
        return self.average_calls_per_s * self.peak_factor


def check_team_size(users: int) -> int:
    if users < 1:
        raise UsageError(
            f"--team takes the number of people sharing the server (1 or more), got {users}"
        )
    return users


def team_demand(workload: Workload, users: int, peak_factor: float | None = None) -> TeamDemand:
    """`workload` for `users` people: each asks what one of the workload's users asks."""
    check_team_size(users)
    w = workload
    per_person = w.requests_per_day / w.users
    scaled = dataclasses.replace(w, users=users, requests_per_day=per_person * users)
    if peak_factor is not None:
        _check_peak(peak_factor, w)
        return TeamDemand(scaled, peak_factor, "flag", f"{peak_factor:g} (--peak-factor)")
    if w.peak_factor is not None:
        words = f"{w.peak_factor:g} (the workload's peak_factor)"
        return TeamDemand(scaled, w.peak_factor, "workload", words)
    return TeamDemand(scaled, ASSUMED_PEAK_FACTOR, "assumed", ASSUMED_PEAK_WORDS)


def _check_peak(value: float, w: Workload) -> None:
    if not 1 <= value <= w.hours_per_day:
        raise UsageError(
            f"--peak-factor must be at least 1 (the busiest hour over the average working "
            f"hour) and at most the workload's hours_per_day ({w.hours_per_day:g}), "
            f"got {value:g}"
        )
