"""Regional targets: a platform admin's TargetOverride for a region applies to every subject in the
region and below it (the nearest override wins), is stored with each value and decides its warning;
region, consortium and region × sector rows use their own region's chain. TargetOverride.clean()
refuses overrides that do not fit the indicator.

Y = 2025. School A lies in prefecture C of province P, school Z in province O. Programs pA (of A) and
pZ (of Z), both in sector S, employ 40 of 50 graduates (0.8 against the default 0.85). Consortium K of
region C owns a base used 50 of 100 hours (0.5 against 0.6). An enterprise of C demands 100 people in
S: supply/demand is 50/100 = 0.5 for (C, S) and (P, S), against the band 0.8–1.5.
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from evaluation import runs
from evaluation.models import TargetOverride, Warning
from evaluation.tests.world import Y, program_year, published_value, unresolved_warning
from partnerships.tests.factories import (
    ConsortiumFactory,
    TalentDemandFactory,
    TrainingBaseFactory,
    TrainingBaseUsageFactory,
)
from portal.tests.factories import EnterpriseFactory, RegionFactory, SchoolFactory, SectorFactory
from programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    o = SimpleNamespace()
    o.P = RegionFactory()
    o.C = RegionFactory(prefecture=True, parent=o.P)
    o.O = RegionFactory()
    o.A = SchoolFactory(region=o.C)
    o.Z = SchoolFactory(region=o.O)
    o.S = SectorFactory()
    o.pA = ProgramFactory(school=o.A, sector=o.S)
    o.pZ = ProgramFactory(school=o.Z, sector=o.S)
    for program in (o.pA, o.pZ):
        program_year(program, graduates=50, employed=40)
    o.K = ConsortiumFactory(region=o.C)
    TrainingBaseUsageFactory(base=TrainingBaseFactory(consortium=o.K, capacity_hours=100), year=Y,
                             internal_hours=40, external_hours=10)
    TalentDemandFactory(enterprise=EnterpriseFactory(region=o.C, sector=o.S), year=Y, headcount=100)
    return o


def override(indicator, region, target, upper=None):
    return TargetOverride.objects.create(indicator=indicator, region=region, target=target, target_upper=upper)


def employment(w, name):
    """(stored target, severity of the unresolved warning or None) of employment for subject `name`."""
    subject = {
        "pA": {"level": "program", "program": w.pA}, "pZ": {"level": "program", "program": w.pZ},
        "A": {"level": "school", "school": w.A}, "Z": {"level": "school", "school": w.Z},
        "C": {"level": "region", "region": w.C}, "P": {"level": "region", "region": w.P},
        "O": {"level": "region", "region": w.O},
    }[name]
    value = published_value("employment_rate", **subject)
    assert value.value == 0.8
    warning = unresolved_warning("employment_rate", **subject)
    return value.target, warning.severity if warning else None


def test_without_overrides_every_subject_has_the_default_target(w):
    runs.run_now(Y)
    for name in ("pA", "A", "C", "P", "pZ", "Z", "O"):
        assert employment(w, name) == (0.85, "medium"), name


def test_a_province_override_applies_to_schools_in_its_prefectures(w):
    override("employment_rate", w.P, 0.75)
    runs.run_now(Y)
    for name in ("pA", "A", "C", "P"):
        assert employment(w, name) == (0.75, None), name
    for name in ("pZ", "Z", "O"):  # another province keeps the default
        assert employment(w, name) == (0.85, "medium"), name


def test_the_nearest_override_wins_and_regions_use_their_own_chain(w):
    override("employment_rate", w.P, 0.75)
    override("employment_rate", w.C, 0.90)
    runs.run_now(Y)
    for name in ("pA", "A", "C"):
        assert employment(w, name) == (0.90, "medium"), name
    assert employment(w, "P") == (0.75, None)  # the province's row: the prefecture's target is below it
    warning = unresolved_warning("employment_rate", level="program", program=w.pA)
    assert (warning.value, warning.target) == (0.8, 0.90)


def test_an_override_below_a_region_does_not_apply_to_the_region(w):
    override("employment_rate", w.C, 0.70)
    runs.run_now(Y)
    assert employment(w, "C") == (0.70, None)
    assert employment(w, "P") == (0.85, "medium")


def test_a_consortium_uses_the_override_of_its_region_chain(w):
    runs.run_now(Y)
    base = published_value("training_base_utilisation", level="consortium", consortium=w.K)
    assert (base.value, base.target) == (0.5, 0.6)
    assert unresolved_warning("training_base_utilisation", level="consortium", consortium=w.K).severity == "medium"

    override("training_base_utilisation", w.P, 0.5)
    runs.run_now(Y)
    assert published_value("training_base_utilisation", level="consortium", consortium=w.K).target == 0.5
    assert unresolved_warning("training_base_utilisation", level="consortium", consortium=w.K) is None


def test_region_sector_rows_use_the_band_of_their_region(w):
    override("supply_demand_ratio", w.P, 0.4, 1.0)
    runs.run_now(Y)
    for region in (w.C, w.P):
        value = published_value("supply_demand_ratio", level="region_sector", region=region, sector=w.S)
        assert (value.value, value.target, value.target_upper) == (0.5, 0.4, 1.0)
    assert not Warning.objects.filter(indicator="supply_demand_ratio", status="open").exists()

    override("supply_demand_ratio", w.C, 0.6, 1.2)
    runs.run_now(Y)
    c = published_value("supply_demand_ratio", level="region_sector", region=w.C, sector=w.S)
    assert (c.target, c.target_upper) == (0.6, 1.2)
    warning = unresolved_warning("supply_demand_ratio", level="region_sector", region=w.C, sector=w.S)
    assert (warning.severity, warning.target, warning.target_upper) == ("medium", 0.6, 1.2)
    assert unresolved_warning("supply_demand_ratio", level="region_sector", region=w.P, sector=w.S) is None


# --- validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize("indicator, target, upper, field", [
    ("supply_demand_ratio", 0.8, None, "target_upper"),  # a band needs its upper bound
    ("supply_demand_ratio", 1.5, 0.8, "target_upper"),  # … above the lower one
    ("supply_demand_ratio", 1.0, 1.0, "target_upper"),
    ("employment_rate", 0.8, 0.9, "target_upper"),  # a min indicator takes no upper bound
    ("project_teaching_share", 0.5, None, "indicator"),  # no target to override
    ("certified_enterprises", 10, None, "indicator"),
    ("no_such_indicator", 0.5, None, "indicator"),
    ("employment_rate", float("nan"), None, "target"),
    ("employment_rate", float("inf"), None, "target"),
])
def test_clean_refuses_an_override_that_does_not_fit_the_indicator(db, indicator, target, upper, field):
    candidate = TargetOverride(indicator=indicator, region=RegionFactory(), target=target, target_upper=upper)
    with pytest.raises(ValidationError) as error:
        candidate.clean()
    assert set(error.value.message_dict) == {field}


@pytest.mark.parametrize("indicator, target, upper", [
    ("employment_rate", 0.8, None),
    ("enrolment_change", -0.2, None),
    ("supply_demand_ratio", 0.7, 1.6),
])
def test_clean_accepts_an_override_that_fits(db, indicator, target, upper):
    TargetOverride(indicator=indicator, region=RegionFactory(), target=target, target_upper=upper).full_clean()
