"""Hardware prices: a profile's list price is shown, never counted (the machine is owned); a
price the user gives says it is bought, and is counted in the monthly cost and the break-even."""

from __future__ import annotations

import pytest

from advisor.advice_options import AdviceOptions
from advisor.advise import advise
from advisor.config import Config, Prices
from advisor.probe import load_profile
from advisor.workload import load_workloads


@pytest.fixture(scope="module")
def studio():
    machine = load_profile("mac-studio-m3-ultra-512gb")
    assert machine.price_usd == 11699
    return machine


def test_a_profiles_list_price_is_never_counted(studio, catalog) -> None:
    """Issue 13 item 6: the list price was shown as 'pays back in 1,129 months' beside a local
    verdict, though nobody said the machine was bought."""
    advice = advise(studio, catalog, load_workloads(["support-bot"]),
                    AdviceOptions())  # fmt: skip
    assert advice.hardware.basis == "profile" and not advice.hardware.bought
    assert advice.hardware.hardware.price_usd is None
    assert advice.hardware.list_price_usd == 11699
    verdict = advice.verdicts[0]
    assert verdict.kind == "local"
    assert verdict.costs.local_hardware is None
    assert verdict.costs.local == verdict.costs.local_electricity
    assert verdict.break_even.payback_months is None
    assert "11,699" not in verdict.break_even.text and "pays back in" not in (
        verdict.break_even.text
    )


def test_a_hardware_price_never_changes_the_model(studio, catalog) -> None:
    """Issue 13 item 6: --hardware-price moved the Mac Studio's quality gap from 47% to 54%."""
    workloads = load_workloads()
    owned = advise(studio, catalog, workloads, AdviceOptions())
    bought = advise(studio, catalog, workloads,
                    AdviceOptions(hardware_price_usd=11699))  # fmt: skip
    for a, b in zip(owned.verdicts, bought.verdicts, strict=True):
        pick = (a.option.candidate.model_id, a.option.candidate.quant)
        assert pick == (b.option.candidate.model_id, b.option.candidate.quant), a.workload.name
        assert a.quality_gap == b.quality_gap


@pytest.mark.parametrize("where", ["flag", "config"])
def test_a_price_the_user_gives_is_counted(studio, catalog, where) -> None:
    if where == "flag":
        options = AdviceOptions(hardware_price_usd=3600, lifetime_months=24)
    else:
        prices = Prices(hardware_price_usd=3600, hardware_lifetime_months=24)
        options = AdviceOptions(config=Config(prices=prices))
    advice = advise(studio, catalog, load_workloads(["support-bot"]), options)
    assert advice.hardware.basis == where and advice.hardware.hardware.counted
    verdict = advice.verdicts[0]
    if verdict.local_cost is not None:
        assert verdict.costs.local_hardware == pytest.approx(150.0)


def test_the_header_says_whether_the_ram_bandwidth_is_measured_or_the_spec(catalog) -> None:
    """The header printed "83.2 GB/s" alone, though the report holds both the spec figure and
    the copy test's: it says which it is, and the copy test's date."""
    from advisor.probe.bandwidth.copy_test import BandwidthMeasurement
    from advisor.probe.bandwidth.fill import _with_bandwidth
    from advisor.report.document import build_document
    from advisor.report.markdown import render_markdown
    from advisor.report.text import render_text
    from advisor.report.view_read import report_view

    laptop = load_profile("office-laptop-8gb")
    test = BandwidthMeasurement(gbs=21.3, threads=4, buffer_bytes=1 << 28, rounds=5,
                                seconds=0.2, measured_at="2026-12-06T21:04:00+00:00")  # fmt: skip
    workloads = load_workloads(["chat-assistant"])
    for machine, words in (
        (laptop, "10 cores / 12 threads, 25.6 GB/s (spec)"),
        (_with_bandwidth(laptop, test), "21.3 GB/s (measured 2026-12-06; spec 25.6 GB/s)"),
    ):
        view = report_view(build_document(advise(machine, catalog, workloads, AdviceOptions())))
        assert words in " ".join(render_text(view).split())  # the text wraps the header
        assert words in render_markdown(view)


def _header(machine, catalog) -> tuple[str, str]:
    """The text (unwrapped) and markdown renderings of a chat report on `machine`."""
    from advisor.report.document import build_document
    from advisor.report.markdown import render_markdown
    from advisor.report.text import render_text
    from advisor.report.view_read import report_view

    advice = advise(machine, catalog, load_workloads(["chat-assistant"]), AdviceOptions())
    view = report_view(build_document(advice))
    return " ".join(render_text(view).split()), render_markdown(view)


def test_the_header_labels_the_gpu_bandwidth_as_the_spec_figure(catalog) -> None:
    """The RAM bandwidth said "(spec)" or "(measured ...)", the GPU's "1010 GB/s" alone: no
    GPU bandwidth is measured, and the header says it is the spec sheet's."""
    for profile, words in (
        ("rtx-4090-desktop", "NVIDIA GeForce RTX 4090, 24 GiB, 1010 GB/s (spec)"),
        ("dual-rtx-3090", "NVIDIA GeForce RTX 3090, 24 GiB, 936.2 GB/s (spec)"),
    ):
        for rendering in _header(load_profile(profile), catalog):
            assert words in rendering, profile


def test_the_copy_tests_date_is_a_field_of_the_report(catalog) -> None:
    """The header read the copy test's date with a regex out of the source's words; the
    report carries it as machine.cpu.memory_bandwidth_measured_on (schema 4), and the header
    prints that field whatever the words say. A version 3 report, without it, says
    "measured" alone."""
    from advisor.probe.bandwidth.copy_test import BandwidthMeasurement
    from advisor.probe.bandwidth.fill import _with_bandwidth
    from advisor.report.document import build_document
    from advisor.report.text import render_text
    from advisor.report.view_read import report_view

    test = BandwidthMeasurement(gbs=21.3, threads=4, buffer_bytes=1 << 28, rounds=5,
                                seconds=0.2, measured_at="2026-12-06T21:04:00+00:00")  # fmt: skip
    machine = _with_bandwidth(load_profile("office-laptop-8gb"), test)
    assert machine.memory.bandwidth_measured_on == "2026-12-06"
    doc = build_document(advise(machine, catalog, load_workloads(["chat-assistant"]),
                                AdviceOptions()))  # fmt: skip
    assert doc["schema_version"] == 4
    assert doc["machine"]["cpu"]["memory_bandwidth_measured_on"] == "2026-12-06"
    doc["machine"]["sources"]["memory.bandwidth_measured_gbs"] = "measured (copy test)"
    text = " ".join(render_text(report_view(doc)).split())
    assert "21.3 GB/s (measured 2026-12-06; spec 25.6 GB/s)" in text
    del doc["machine"]["cpu"]["memory_bandwidth_measured_on"]
    doc["schema_version"] = 3
    text = " ".join(render_text(report_view(doc)).split())
    assert "21.3 GB/s (measured; spec 25.6 GB/s)" in text
