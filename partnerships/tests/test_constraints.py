"""Every rule on cooperation records holds twice: full_clean() names the field, and the database
refuses a write that skips Python validation."""
import datetime
from decimal import Decimal

import factory
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, TextField
from django.db.models.functions import Cast

from partnerships.choices import PartnershipKind
from partnerships.models import Partnership
from partnerships.tests.factories import (
    ConsortiumFactory,
    ConsortiumMemberFactory,
    ContributionFactory,
    EnterpriseProjectFactory,
    PartnershipFactory,
    PatentFactory,
    ProjectAdoptionFactory,
    TalentDemandFactory,
    TechnicalServiceFactory,
    TrainingBaseFactory,
    TrainingBaseUsageFactory,
)
from portal.fields import choice_set_contains
from portal.tests.constraint_checks import (
    assert_database_refuses_the_update,
    assert_database_refuses_the_write,
    assert_full_clean_names_the_field,
    assert_valid_record_saves,
)
from portal.tests.factories import (
    EnterpriseFactory,
    SchoolFactory,
    build_unsaved,
    same_as,
)
from programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db(transaction=False)

SCHOOL = factory.SubFactory(SchoolFactory)
ENTERPRISE = factory.SubFactory(EnterpriseFactory)
CONSORTIUM = factory.SubFactory(ConsortiumFactory)
OTHER_BODY = {"other_name": "广东省机械工程学会", "other_kind": "association"}

VALID = [
    pytest.param(ConsortiumFactory, {}, id="consortium"),
    pytest.param(ConsortiumMemberFactory, {}, id="school member"),
    pytest.param(ConsortiumMemberFactory, {"enterprise": ENTERPRISE, "role": "lead"}, id="enterprise lead member"),
    pytest.param(ConsortiumMemberFactory, OTHER_BODY, id="other body as member"),
    pytest.param(PartnershipFactory, {}, id="partnership"),
    pytest.param(PartnershipFactory, {"kinds": PartnershipKind.values}, id="partnership of every kind"),
    pytest.param(PartnershipFactory, {"start_date": datetime.date(2015, 9, 1), "end_date": datetime.date(2015, 9, 1)},
                 id="past one-day partnership"),
    pytest.param(ContributionFactory, {"value": Decimal("0")}, id="contribution worth nothing"),
    pytest.param(EnterpriseProjectFactory, {"start_date": None, "end_date": None}, id="undated project"),
    pytest.param(ProjectAdoptionFactory, {}, id="project adoption"),
    pytest.param(TalentDemandFactory, {"headcount": 1}, id="talent demand for one person"),
    pytest.param(TrainingBaseFactory, {}, id="school-owned training base"),
    pytest.param(TrainingBaseFactory, {"enterprise": ENTERPRISE}, id="enterprise-owned training base"),
    pytest.param(TrainingBaseFactory, {"consortium": CONSORTIUM}, id="consortium-owned training base"),
    pytest.param(TrainingBaseFactory, {"enterprise_equipment_value": Decimal("1000000.00")},
                 id="training base fully equipped by enterprises"),
    pytest.param(TrainingBaseUsageFactory, {}, id="training base usage"),
    pytest.param(TechnicalServiceFactory, {"enterprise": None}, id="technical service without client"),
    pytest.param(PatentFactory, {"transferred_on": datetime.date(2024, 3, 1), "licensee": ENTERPRISE},
                 id="patent transferred the day it was granted"),
]

# (factory, overrides that break one rule, the field full_clean() must name)
BAD = [
    pytest.param(ConsortiumFactory, {"kind": "club"}, "kind", id="unknown consortium kind"),
    pytest.param(ConsortiumMemberFactory, {"school": None}, "school", id="member that is nobody"),
    pytest.param(ConsortiumMemberFactory, {"school": SCHOOL, "enterprise": ENTERPRISE}, "school",
                 id="member both school and enterprise"),
    pytest.param(ConsortiumMemberFactory, {"school": SCHOOL, **OTHER_BODY}, "school",
                 id="member both school and other body"),
    pytest.param(ConsortiumMemberFactory, {"other_name": "广东省机械工程学会"}, "other_kind",
                 id="other body without kind"),
    pytest.param(ConsortiumMemberFactory, {"other_kind": "association"}, "other_name",
                 id="school member with a kind of other body"),
    pytest.param(ConsortiumMemberFactory, {**OTHER_BODY, "other_kind": "club"}, "other_kind",
                 id="unknown kind of other body"),
    pytest.param(ConsortiumMemberFactory, {"role": "chair"}, "role", id="unknown member role"),
    pytest.param(ConsortiumMemberFactory, same_as(ConsortiumMemberFactory, "consortium", "school"), "__all__",
                 id="school member twice"),
    pytest.param(ConsortiumMemberFactory,
                 same_as(ConsortiumMemberFactory, "consortium", "enterprise", enterprise=ENTERPRISE), "__all__",
                 id="enterprise member twice"),
    pytest.param(PartnershipFactory, {"end_date": datetime.date(2024, 8, 31)}, "end_date",
                 id="partnership ending before it starts"),
    pytest.param(PartnershipFactory, {"kinds": []}, "kinds", id="partnership without kinds"),
    pytest.param(PartnershipFactory, {"kinds": ["bogus"]}, "kinds", id="unknown partnership kind"),
    pytest.param(PartnershipFactory, {"kinds": ["order_class", "bogus"]}, "kinds", id="known and unknown kind"),
    pytest.param(PartnershipFactory, {"kinds": ["order_class,bogus"]}, "kinds", id="kind smuggling a comma"),
    # status is not editable (only services change it), and Django skips Field.validate() for
    # non-editable fields: the CHECK constraint reports it as a non-field error.
    pytest.param(PartnershipFactory, {"status": "frozen"}, "__all__", id="unknown partnership status"),
    pytest.param(ContributionFactory, {"value": Decimal("-0.01")}, "value", id="negative contribution"),
    pytest.param(ContributionFactory, {"party": "bank"}, "party", id="unknown contributing party"),
    pytest.param(ContributionFactory, {"kind": "shares"}, "kind", id="unknown contribution kind"),
    pytest.param(EnterpriseProjectFactory, {"end_date": datetime.date(2024, 8, 31)}, "end_date",
                 id="project ending before it starts"),
    pytest.param(EnterpriseProjectFactory, {"capacity": -1}, "capacity", id="negative project capacity"),
    pytest.param(EnterpriseProjectFactory, {"status": "archived"}, "status", id="unknown project status"),
    pytest.param(ProjectAdoptionFactory, {"students": -1}, "students", id="negative adoption students"),
    pytest.param(ProjectAdoptionFactory, {"year": 1949}, "year", id="adoption before 1950"),
    pytest.param(ProjectAdoptionFactory, same_as(ProjectAdoptionFactory, "project", "course", "year"), "__all__",
                 id="project adopted twice by a course in a year"),
    pytest.param(TalentDemandFactory, {"headcount": 0}, "headcount", id="talent demand for nobody"),
    pytest.param(TalentDemandFactory, {"year": 2101}, "year", id="talent demand after 2100"),
    pytest.param(TrainingBaseFactory, {"school": None}, "school", id="training base without owner"),
    pytest.param(TrainingBaseFactory, {"school": SCHOOL, "enterprise": ENTERPRISE}, "school",
                 id="training base of school and enterprise"),
    pytest.param(TrainingBaseFactory, {"enterprise": ENTERPRISE, "consortium": CONSORTIUM}, "school",
                 id="training base of enterprise and consortium"),
    pytest.param(TrainingBaseFactory, {"school": SCHOOL, "enterprise": ENTERPRISE, "consortium": CONSORTIUM}, "school",
                 id="training base of three owners"),
    pytest.param(TrainingBaseFactory, {"equipment_value": Decimal("-1"), "enterprise_equipment_value": Decimal("-1")},
                 "equipment_value", id="negative equipment value"),
    pytest.param(TrainingBaseFactory, {"enterprise_equipment_value": Decimal("1000000.01")},
                 "enterprise_equipment_value", id="enterprise equipment above total"),
    pytest.param(TrainingBaseFactory, {"capacity_hours": -1}, "capacity_hours", id="negative capacity hours"),
    pytest.param(TrainingBaseUsageFactory, {"internal_hours": -1}, "internal_hours", id="negative internal hours"),
    pytest.param(TrainingBaseUsageFactory, {"external_hours": -1}, "external_hours", id="negative external hours"),
    pytest.param(TrainingBaseUsageFactory, {"year": 1949}, "year", id="usage before 1950"),
    pytest.param(TrainingBaseUsageFactory, same_as(TrainingBaseUsageFactory, "base", "year"), "__all__",
                 id="usage twice for a base and year"),
    pytest.param(TechnicalServiceFactory, {"amount": Decimal("-1")}, "amount", id="negative technical service amount"),
    pytest.param(TechnicalServiceFactory, {"year": 1949}, "year", id="technical service before 1950"),
    pytest.param(PatentFactory, {"transferred_on": datetime.date(2024, 2, 29)}, "transferred_on",
                 id="patent transferred before granted"),
    pytest.param(PatentFactory, same_as(PatentFactory, "number"), "number", id="patent number twice"),
]

# (factory of a valid saved row, QuerySet.update() arguments that break one rule)
BAD_UPDATES = [
    pytest.param(ConsortiumMemberFactory, {"other_name": "某协会", "other_kind": "association"},
                 id="school member given an other body too"),
    pytest.param(PartnershipFactory, {"kinds": []}, id="partnership kinds emptied"),
    pytest.param(PartnershipFactory, {"kinds": ["order_class", "bogus"]}, id="unknown kind added"),
    pytest.param(PartnershipFactory, {"status": "frozen"}, id="unknown status"),
    pytest.param(PartnershipFactory, {"end_date": F("start_date") - datetime.timedelta(days=1)},
                 id="partnership end moved before start"),
    pytest.param(ContributionFactory, {"value": F("value") * -1}, id="contribution made negative"),
    pytest.param(EnterpriseProjectFactory, {"start_date": F("end_date") + datetime.timedelta(days=1)},
                 id="project start moved after end"),
    pytest.param(TrainingBaseFactory, {"school": None}, id="training base losing its owner"),
    pytest.param(TrainingBaseFactory, {"enterprise_equipment_value": F("equipment_value") + 1},
                 id="enterprise equipment raised above total"),
    pytest.param(TrainingBaseUsageFactory, {"external_hours": -1}, id="usage hours made negative"),
    pytest.param(TalentDemandFactory, {"headcount": 0}, id="talent demand emptied"),
    pytest.param(PatentFactory, {"transferred_on": F("granted_on") - datetime.timedelta(days=1)},
                 id="patent transfer moved before grant"),
]


@pytest.mark.parametrize("factory_class, overrides", VALID)
def test_a_valid_record_passes_full_clean_and_saves(factory_class, overrides):
    assert_valid_record_saves(factory_class, overrides)


@pytest.mark.parametrize("factory_class, bad, field", BAD)
def test_full_clean_names_the_broken_field_and_nothing_is_written(factory_class, bad, field):
    assert_full_clean_names_the_field(factory_class, bad, field)


@pytest.mark.parametrize("write", ["save", "bulk_create"])
@pytest.mark.parametrize("factory_class, bad, field", BAD)
def test_the_database_refuses_a_direct_write_and_nothing_is_written(factory_class, bad, field, write):
    assert_database_refuses_the_write(factory_class, bad, write)


@pytest.mark.parametrize("factory_class, changes", BAD_UPDATES)
def test_the_database_refuses_an_update_that_breaks_a_rule(factory_class, changes):
    assert_database_refuses_the_update(factory_class, changes)


@pytest.mark.parametrize("kind", PartnershipKind.values)
def test_a_partnership_of_any_single_known_kind_passes_full_clean_and_the_database(kind):
    partnership = build_unsaved(PartnershipFactory, kinds=[kind])
    try:
        partnership.full_clean()
    except ValidationError as exc:
        pytest.fail(f"full_clean() refused kinds=[{kind!r}]: {exc.message_dict}")
    try:
        with transaction.atomic():
            partnership.save()
    except IntegrityError as exc:
        pytest.fail(f"the partnership_kinds_valid CHECK refused kinds=[{kind!r}]: {exc}")


def test_partnership_kinds_round_trip_as_a_sorted_list_stored_between_commas():
    partnership = PartnershipFactory(kinds=["order_class", "internship_base", "order_class"])
    rows = Partnership.objects.filter(pk=partnership.pk)
    assert rows.annotate(raw=Cast("kinds", TextField())).values_list("raw", flat=True).get() == (
        ",internship_base,order_class,"
    )
    partnership.refresh_from_db()
    assert partnership.kinds == ["internship_base", "order_class"]
    assert list(Partnership.objects.filter(choice_set_contains("kinds", "order_class"))) == [partnership]
    assert not Partnership.objects.filter(choice_set_contains("kinds", "order")).exists()


def test_several_partnerships_between_the_same_pair_are_allowed():
    first = PartnershipFactory()
    second = build_unsaved(PartnershipFactory, school=first.school, enterprise=first.enterprise)
    second.full_clean()
    second.save()
    assert Partnership.objects.filter(school=first.school, enterprise=first.enterprise).count() == 2


def test_a_partnership_links_programs():
    programs = ProgramFactory.create_batch(2)
    partnership = PartnershipFactory(programs=programs)
    assert set(partnership.programs.all()) == set(programs)
