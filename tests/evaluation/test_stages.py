"""The named stages of an evaluation, each run alone, and a channel added as one more stage."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

import palveluverkko.evaluation.stages as stages
from palveluverkko import Closure, Scenario, evaluate
from palveluverkko.evaluation.figures import channels_stage, sites_stage
from palveluverkko.evaluation.stages import (
    ChannelOutcome,
    DemandStage,
    Setting,
    allocation_stage,
    channel_stages,
    demand_stage,
    prepare,
)
from palveluverkko.network import TravelTimes
from palveluverkko.region.model import Region


def test_prepare_aligns_matrices_to_the_scenarios_sites(
    tiny: Region, tiny_tt: dict[str, TravelTimes]
) -> None:
    """prepare applies the scenario, keeps today's sites as columns and aligns each mode."""
    setting = prepare(tiny, Scenario(closures=(Closure("s3", "s2"),)), travel_times=tiny_tt)
    assert setting.site_ids.tolist() == ["s1", "s2", "s3"]
    assert set(setting.region.sites["site_id"]) == {"s1", "s2"}
    np.testing.assert_array_equal(setting.matrices["car"], tiny_tt["car"].minutes)
    assert set(setting.matrices) == {"car", "walk"}


def test_demand_and_channels_conserve_contacts(
    tiny: Region, tiny_tt: dict[str, TravelTimes]
) -> None:
    """Per cell, service and band: site + digital + home + mobile contacts = all contacts."""
    setting = prepare(tiny, None, travel_times=tiny_tt)
    demand = demand_stage(setting)
    outcomes = channel_stages(setting, demand)
    assert [o.channel for o in outcomes] == ["digital", "home", "mobile"]
    total = demand.split.physical + sum(o.served + o.to_sites for o in outcomes)
    np.testing.assert_allclose(total, demand.split.total, rtol=1e-12)
    assert [o.evaluated for o in outcomes] == [True, False, True]


def test_allocation_then_sites_alone(tiny: Region, tiny_tt: dict[str, TravelTimes]) -> None:
    """A closed site gets no contacts and its row says closed with its substitute; the site
    contacts sum to the site demand that reaches a site."""
    setting = prepare(tiny, Scenario(closures=(Closure("s3", "s2"),)), travel_times=tiny_tt)
    demand = demand_stage(setting)
    alloc = allocation_stage(setting, demand, channel_stages(setting, demand))
    served = alloc.site_demand.sum() - alloc.unserved_per_year().sum()
    assert alloc.site_contacts.sum() == pytest.approx(served)
    from palveluverkko.evaluation.figures import catchment_stage

    sites = sites_stage(setting, demand, alloc, catchment_stage(setting, demand, alloc))
    s3 = sites.loc[sites["site_id"] == "s3"].iloc[0]
    assert (s3["status"], s3["substitute_id"], s3["contacts_per_year"]) == ("closed", "s2", 0.0)


@dataclass(frozen=True)
class HalfBackMobile:
    """A test channel: serves half of the mobile contacts, hands the other half to the sites."""

    channel: str = "mobile"

    def run(self, setting: Setting, demand: DemandStage) -> ChannelOutcome:
        half = demand.split.mobile / 2.0
        return ChannelOutcome("mobile", served=half, to_sites=half, evaluated=True)


def test_a_new_channel_is_one_stage(
    tiny: Region, tiny_tt: dict[str, TravelTimes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replacing the mobile stage changes only what it touches: by default the mobile share goes
    to the sites (no unit runs); a stage that serves half of it leaves the other half at the
    sites, and every contact is still in exactly one channel."""
    services = tiny.services.copy()
    services["mobile_share"] = 0.2
    region = tiny.replace(services=services)
    before = evaluate(region, None, travel_times=tiny_tt)
    monkeypatch.setattr(stages, "CHANNEL_STAGES", (*stages.CHANNEL_STAGES[:2], HalfBackMobile()))
    after = evaluate(region, None, travel_times=tiny_tt)
    ch = after.channels.groupby("channel")["contacts_per_year"].sum()
    ch_before = before.channels.groupby("channel")["contacts_per_year"].sum()
    share = before.summary_table["mobile_per_year"].sum()
    assert share > 0
    assert ch_before["mobile"] == 0.0
    assert ch["mobile"] == pytest.approx(share / 2)
    assert ch["site"] + ch["unserved"] == pytest.approx(
        ch_before["site"] + ch_before["unserved"] - share / 2
    )
    totals = after.channels.groupby("service")["contacts_per_year"].sum()
    cells = after.cells.groupby("service")["contacts_per_year"].sum()
    pd.testing.assert_series_equal(totals, cells, check_names=False, rtol=1e-12)
    assert after.sites["contacts_per_year"].sum() < before.sites["contacts_per_year"].sum()


def test_channels_table_counts_every_contact(tiny: Region, tiny_tt: dict[str, TravelTimes]) -> None:
    """channels_stage: per municipality and service the channels sum to the contacts."""
    ev = evaluate(tiny, None, travel_times=tiny_tt)
    setting = prepare(tiny, None, travel_times=tiny_tt)
    demand = demand_stage(setting)
    outcomes = channel_stages(setting, demand)
    table = channels_stage(setting, demand, allocation_stage(setting, demand, outcomes), outcomes)
    pd.testing.assert_frame_equal(table, ev.channels)
    by = table.groupby(["municipality", "service"])["contacts_per_year"].sum()
    want = ev.cells.groupby(["municipality", "service"])["contacts_per_year"].sum()
    pd.testing.assert_series_equal(by, want, check_names=False, rtol=1e-12)
    assert set(table.loc[~table["evaluated"], "channel"]) == {"home"}


def test_evaluate_reports_its_stages_on_one_blas_thread(
    tiny: Region, tiny_tt: dict[str, TravelTimes]
) -> None:
    """on_stage sees every stage in order, then the end; and the stages run with one BLAS thread
    (threadpool_limits on evaluate: it once wrapped a helper placed between it and evaluate)."""
    from threadpoolctl import threadpool_info

    from palveluverkko.evaluation.pipeline import STAGES

    seen: list[tuple[int, int, str]] = []
    blas: list[int] = []

    def on_stage(done: int, total: int, stage: str) -> None:
        seen.append((done, total, stage))
        blas.extend(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")

    evaluate(tiny, travel_times=tiny_tt, on_stage=on_stage)
    stages = tuple(s for s in STAGES if s != "home_care")
    assert seen == [*((k, len(stages), s) for k, s in enumerate(stages)), (12, 12, "")]
    assert blas
    assert set(blas) == {1}
