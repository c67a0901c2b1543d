"""Issue 13's reproducible cases, on the shipped profiles, presets and catalog.

Each test failed on the code before the fix it pins (the issue names the case).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.advice_options import AdviceOptions
from advisor.advise import advise
from advisor.catalog import load_catalog
from advisor.probe import load_profile
from advisor.workload import load_workloads

PROFILES = sorted(p.stem for p in (Path(__file__).parents[2] / "profiles").glob("*.yaml"))


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(overlay=False)


def verdict(catalog, profile: str, workload: str, **options):
    machine = load_profile(profile)
    advice = advise(machine, catalog, load_workloads([workload]),
                    AdviceOptions(cache=False, **options))  # fmt: skip
    return advice.verdicts[0]


def test_a_hybrid_break_even_describes_the_hybrid(catalog) -> None:
    """Item 1: rtx-4090-desktop × coding-agent is hybrid at 11.56 against 16.38 all-cloud; the
    break-even said 'saves 12.04 ... up to 434 USD', the all-local path that fails the floor."""
    # Since the 2026-12 catalog the RTX 4090 runs the coding agent locally (Qwen3.8 27B); the
    # same case, hybrid today: a 36 GB MacBook Pro, 40% of the prompts on Qwen3.6 35B-A3B.
    v = verdict(catalog, "macbook-pro-m3-pro-36gb", "coding-agent")
    assert v.kind == "hybrid"
    even = v.break_even
    assert even.path == "hybrid"
    running = v.hybrid.local.electricity_usd_per_month + v.hybrid.cloud_usd_per_month
    assert even.monthly_saving_usd == pytest.approx(v.cloud.best_usd_per_month - running)
    assert even.monthly_saving_usd == pytest.approx(13.65 - 8.53, abs=0.02)
    assert even.max_hardware_usd == pytest.approx(even.monthly_saving_usd * 36)
    # 5.13 since the tokens-per-expert refit (issue 15): Q4_K_M, its prefill a little slower;
    # 5.11 since decode moves Qwen3.6's gated-delta-net state (0.40 GB a token): a little
    # slower, a little more of the laptop's electricity; 5.10 since Metal's float mat-vec
    # kernels have their own shader cost per weight (gamma_float, above CUDA's int8 one).
    assert even.text.startswith("the hybrid saves 5.10")


def test_a_cloud_verdict_claims_no_saving_and_says_what_would_make_local_work(catalog) -> None:
    """Item 1: office-laptop-8gb × coding-agent is cloud, yet said 'saves 9.13 USD a month ...
    local is cheaper at any volume' for an option failing all four checks."""
    v = verdict(catalog, "office-laptop-8gb", "coding-agent")
    assert v.kind == "cloud" and not v.option.passed()
    even = v.break_even
    assert even.path is None and even.monthly_saving_usd is None
    assert even.local_wins_above_tokens_per_day is None and even.max_hardware_usd is None
    assert "saves" not in even.text and "any volume" not in even.text
    # A laptop takes no GPU, and no RAM step makes its CPU fast enough: the remedy says so.
    assert v.remedy is not None and v.remedy.kind == "none"
    assert "no hardware change this advisor tries does" in v.remedy.text
    assert v.remedy.text in v.reasons


def test_the_cheapest_change_names_a_priced_gpu(catalog) -> None:
    """Item 1: on a 12 GB desktop the summarisation workload needs a larger card; the remedy
    names the cheapest one that makes it local, with the spec table's list price."""
    v = verdict(catalog, "rtx-3060-desktop", "rag-summarisation")
    assert v.kind == "cloud"
    remedy = v.remedy
    # Since the 2026-12 catalog: Qwen3.8 27B Q5_K_M on a 24 GB card (a 16 GB one is too small).
    assert remedy.kind == "gpu" and remedy.price_usd == 1500 and "RTX 3090" in remedy.change
    assert remedy.price_source and "huggingface.co/hardware" in remedy.price_source
    assert remedy.option and "passes every check" in remedy.text


def test_a_ram_change_says_its_price_is_unknown(catalog) -> None:
    v = verdict(catalog, "office-laptop-8gb", "document-batch")
    assert v.kind == "cloud" and v.remedy.kind == "ram"
    assert v.remedy.price_usd is None and "price unknown" in v.remedy.text


@pytest.mark.parametrize("profile", PROFILES)
def test_capacity_is_a_check_and_hours_never_exceed_the_window(catalog, profile) -> None:
    """Item 3: 'busy 9.9 h of the 9 h window' passed the capacity check (macbook-pro-m3-pro-36gb
    × rag-summarisation), and electricity was charged for 72.5 h a day (rtx-3090 × coding)."""
    machine = load_profile(profile)
    advice = advise(machine, catalog, load_workloads(),
                    AdviceOptions(cache=False, remedies=False))  # fmt: skip
    for v in advice.verdicts:
        window = v.workload.hours_per_day
        if v.option is not None and v.option.run is not None:
            capacity = next(c for c in v.option.checks if c.name == "capacity")
            assert capacity.passed == (capacity.actual <= window + 0.01), (profile, v.workload.name)
        for cost in (v.local_cost, v.hybrid and v.hybrid.local):
            if cost is not None:
                assert cost.busy_hours_per_day <= window + 1e-9, (profile, v.workload.name)
                assert cost.busy_hours_per_day + cost.idle_hours_per_day <= window + 1e-9


def test_a_slow_option_is_charged_only_for_the_hours_it_runs(catalog) -> None:
    """Item 3: rtx-3090-desktop × coding-agent with a bought machine showed Qwen3.6 27B BF16
    at 1.3 tokens/s busy 72.5 h a day and 125 USD of electricity."""
    v = verdict(catalog, "rtx-3090-desktop", "coding-agent", hardware_price_usd=1800)
    assert v.local_cost.busy_hours_per_day <= 8
    assert v.local_cost.electricity_usd_per_month < 10
    # Item 2: the option shown is the one closest to passing: since the 2026-12 catalog Qwen3.8
    # 27B Q5_K_M passes every check, and only the bought machine's price keeps it in the cloud.
    assert (v.option.candidate.model_name, v.option.candidate.quant) == ("Qwen3.8 27B", "Q5_K_M")
    assert v.kind == "cloud" and [c.name for c in v.option.failed] == []
    assert "than this machine's electricity" not in v.break_even.text


def test_a_first_token_inside_the_prefill_range_is_borderline(catalog) -> None:
    """Item 7: rtx-4090-desktop × rag-summarisation: first token 8.9 s against a 10 s limit,
    with a prefill range that allows 18.7 s, was 'medium'."""
    # Since the CPU's FMA width is a fact (issue 15), the 4090 desktop's Zen 4 CPU prefills its
    # share of the split Q6_K at half the rate and the option there is Q5_K_M, all on the GPU
    # (3.8 s, not borderline); the 3090 desktop (a Zen 3 AVX2 host) kept such a case until
    # issue 15's prefill physics (the output head once per batch, activation traffic) and the
    # CUDA range that came with them made its 7.5 s a clear pass (range 5.8-9.9); two 3090s
    # on the same workload, whose Q8_0 option is split across both, keep it. (Since the
    # published M2 Max CPU rows are priced by their kernel paths, the joint fit's CUDA band is
    # 0.83-1.49, not 0.85-1.39: the 3090 desktop's 7.5 s (range 5.5-10.1) is borderline again.)
    v = verdict(catalog, "dual-rtx-3090", "rag-summarisation")
    ttft = next(c for c in v.option.checks if c.name == "ttft")
    assert ttft.passed and ttft.borderline and ttft.actual == pytest.approx(8.9, abs=0.1)
    # 6.8-11.7 before the CPU kernel-path refit, 11.9 since the last FFN once per batch
    assert "(range 6.8-11.9)" in ttft.text
    assert v.confidence.level == "low"
    assert "borderline: the time-to-first-token requirement" in v.confidence.why


def test_a_quality_just_below_the_floor_is_borderline(catalog) -> None:
    """Item 7: a model at 68% against a 70% floor was not flagged (rtx-4090 × coding-agent)."""
    # Since the 2026-12 catalog Qwen3.8 27B Q5_K_M keeps 81.6% of the frontier's coding index
    # on this machine: the same case with the floor just above it, at 83%.
    import dataclasses

    workload = dataclasses.replace(load_workloads(["coding-agent"])[0], quality_floor_pct=83.0)
    advice = advise(load_profile("rtx-4090-desktop"), catalog, [workload],
                    AdviceOptions(cache=False))  # fmt: skip
    v = advice.verdicts[0]
    quality = next(c for c in v.option.checks if c.name == "quality")
    assert not quality.passed and quality.borderline
    assert quality.actual == pytest.approx(81.6, abs=0.5)
    assert quality.margin == pytest.approx(quality.actual / 83 - 1, abs=0.002)
    assert "borderline" in v.confidence.why and "quality" in v.confidence.why


def test_no_cloud_gives_local_or_not_viable_with_what_would_make_it_viable(catalog) -> None:
    """Item 10: stripping the cloud still returned a cloud verdict; now --no-cloud (and
    `cloud: forbidden`) gives local, or not viable here with the cheapest change."""
    ok = verdict(catalog, "rtx-4090-desktop", "chat-assistant", no_cloud=True)
    assert ok.kind == "local" and "the cloud is ruled out" in ok.summary
    assert ok.break_even.path is None
    no = verdict(catalog, "rtx-3060-desktop", "rag-summarisation", no_cloud=True)
    assert no.kind == "not_viable" and no.summary.startswith("not viable here")
    assert no.hybrid is None and no.remedy.kind == "gpu" and no.remedy.price_usd == 1500
    assert no.workload.cloud == "forbidden"
    # Expensive local work is still local when the cloud is ruled out.
    batch = verdict(catalog, "rtx-3060-desktop", "document-batch", no_cloud=True)
    assert batch.kind == "local"


def test_a_workload_file_can_rule_the_cloud_out(catalog, tmp_path) -> None:
    from advisor.workload import load_workload_file

    preset = Path(__file__).parents[2] / "profiles" / "workloads" / "rag-summarisation.yaml"
    private = tmp_path / "private-rag.yaml"
    private.write_text(preset.read_text(encoding="utf-8") + "cloud: forbidden\n", "utf-8")
    workload = load_workload_file(private)
    machine = load_profile("rtx-3060-desktop")
    v = advise(machine, catalog, [workload], AdviceOptions(cache=False)).verdicts[0]
    assert v.kind == "not_viable" and v.remedy is not None


def test_two_rtx_3090s_are_not_charged_twice(catalog) -> None:
    """Item 6: two RTX 3090s were charged 800 W (360 W each + host) for any model."""
    for name in ("chat-assistant", "support-bot"):
        v = verdict(catalog, "dual-rtx-3090", name, remedies=False)
        assert v.option.candidate.power.watts == pytest.approx(360 + 80)


def test_a_cpu_only_laptop_is_charged_a_laptops_reading(catalog) -> None:
    """Item 6: the i5-1235U office laptop was charged 15 W + 7.5 W × 10 cores = 90 W."""
    v = verdict(catalog, "office-laptop-8gb", "chat-assistant", remedies=False)
    power = v.option.candidate.power
    assert power.watts == pytest.approx(51.7) and "Framework 13 laptop" in power.source


def test_a_hybrid_looks_past_a_routine_file_whose_split_does_not_pay(catalog, tmp_path) -> None:
    """Scenario rtx4060-laptop-light-chat (benchmarks/data/scenarios.yaml): five chats a day on
    an 8 GB RTX 4060 laptop. The search stopped at Qwen3.5 4B's best file that runs, BF16
    (8.4 GB, split with the CPU at 15 tokens/s); its 60% routine split cost 0.0336 USD a month
    against 0.0334 all-cloud, so the verdict was cloud, though the same model's Q8_0 (on the
    GPU, 42 tokens/s, a third of the energy a call, 0.2% less quality) makes the hybrid pay."""
    import yaml

    preset = Path(__file__).parents[2] / "profiles" / "workloads" / "chat-assistant.yaml"
    doc = yaml.safe_load(preset.read_text(encoding="utf-8"))
    doc["requests_per_day"] = 5
    light = tmp_path / "light-chat.yaml"
    light.write_text(yaml.safe_dump(doc), encoding="utf-8")
    v = verdict(catalog, "rtx-4060-laptop", str(light))
    assert v.kind == "hybrid"
    assert v.hybrid.local_share == pytest.approx(0.6)
    assert v.hybrid.usd_per_month < v.cloud.best_usd_per_month
    # Since issue 15's kernel-path refit a better routine file passes (Qwen3.5 35B-A3B Q2_K,
    # experts in RAM); what this pins is that the search does not stop at the 4B BF16 split.
    option = v.option.candidate
    assert (option.model_id, option.quant) != ("qwen3.5-4b", "BF16")
    assert (option.model_id, option.quant) == ("qwen3.5-35b-a3b", "Q2_K")


def test_the_chat_preset_caches_the_conversation_it_resends(catalog) -> None:
    """Item 4: the chat preset said each turn re-sends the conversation, yet its
    cached_input_share was 0, so every turn paid full prefill and the full API input price;
    on the MacBook Air M2 that alone turned chat into cloud."""
    chat = load_workloads(["chat-assistant"])[0]
    assert "re-sends the conversation" in chat.justification["input_tokens_per_request"]
    assert chat.cached_input_share == 0.5
    v = verdict(catalog, "macbook-air-m2-16gb", "chat-assistant")
    assert v.kind == "hybrid"
    ttft = next(c for c in v.option.checks if c.name == "ttft")
    assert ttft.passed and "for 750 new prompt tokens" in ttft.text


def test_an_agent_shows_its_cold_first_call_beside_the_warm_one(catalog) -> None:
    """Item 4: agents never showed the cold first call of a session (the whole context
    prefilled), only the warm step that reuses the cached prefix."""
    v = verdict(catalog, "rtx-4090-desktop", "coding-agent")
    run = v.option.run
    # 24,000 tokens against 2,400 new ones: the cold call prefills ten times as much.
    assert run.cold_time_to_first_token_s > 5 * run.time_to_first_token_s
    ttft = next(c for c in v.option.checks if c.name == "ttft")
    assert ttft.actual == pytest.approx(run.time_to_first_token_s, abs=0.01)
    assert f"({run.cold_time_to_first_token_s:.1f} s for all 24,000 on a session's first call)" in (
        ttft.text
    )


def test_advise_leaves_the_cycle_collector_as_it_found_it(catalog) -> None:
    import gc

    machine = load_profile("office-laptop-16gb")
    options = AdviceOptions(cache=False, remedies=False)
    advise(machine, catalog, load_workloads(["chat-assistant"]), options)
    assert gc.isenabled()
    gc.disable()
    try:
        advise(machine, catalog, load_workloads(["chat-assistant"]), options)
        assert not gc.isenabled()  # a caller that turned it off keeps it off
    finally:
        gc.enable()


def test_advise_leaves_no_garbage_cycles(catalog) -> None:
    """advise() runs with the collector off and promotes what it keeps without a pass over it
    (advisor.files.disk_cache.no_cycle_collection): that is sound only while it makes no
    garbage in reference cycles, which only a full collection would free."""
    import gc

    machine = load_profile("rtx-4090-desktop")
    options = AdviceOptions(cache=False, remedies=False)
    workloads = load_workloads(["chat-assistant", "coding-agent"])
    advise(machine, catalog, workloads, options)  # the first call's imports may make cycles
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        advise(machine, catalog, workloads, options)
        gc.collect()
        assert gc.garbage == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
