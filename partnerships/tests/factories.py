"""Factories for cooperation records (valid by default).

Where a model has "exactly one of" several owners, the factory fills the first one (a school) only
when the test passes none of the others: `TrainingBaseFactory(enterprise=e)` is owned by `e` alone.
"""
from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from partnerships.choices import (
    ConsortiumKind,
    ContributionKind,
    ContributionParty,
    MemberRole,
    PartnershipKind,
    PartnershipStatus,
    ProjectStatus,
)
from partnerships.models import (
    Consortium,
    ConsortiumMember,
    Contribution,
    EnterpriseProject,
    Partnership,
    Patent,
    ProjectAdoption,
    TalentDemand,
    TechnicalService,
    TrainingBase,
    TrainingBaseUsage,
)
from portal.tests.factories import EnterpriseFactory, RegionFactory, SchoolFactory
from programs.tests.factories import CourseFactory


class ConsortiumFactory(DjangoModelFactory):
    class Meta:
        model = Consortium

    name = factory.Sequence(lambda n: f"测试市域产教联合体{n}")
    kind = ConsortiumKind.CITY_CONSORTIUM
    region = factory.SubFactory(RegionFactory)
    sector = None
    established_on = datetime.date(2023, 6, 1)


class ConsortiumMemberFactory(DjangoModelFactory):
    """A school member, unless `enterprise` or `other_name` (with `other_kind`) is given."""

    class Meta:
        model = ConsortiumMember

    consortium = factory.SubFactory(ConsortiumFactory)
    enterprise = None
    other_name = ""
    other_kind = ""
    school = factory.Maybe(
        factory.LazyAttribute(lambda o: o.enterprise is None and not o.other_name),
        yes_declaration=factory.SubFactory(SchoolFactory),
        no_declaration=None,
    )
    role = MemberRole.MEMBER


class PartnershipFactory(DjangoModelFactory):
    """A proposed partnership; `programs=[...]` links programs after creation."""

    class Meta:
        model = Partnership
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    title = factory.Sequence(lambda n: f"订单班与实习基地合作协议{n}")
    kinds = factory.LazyFunction(lambda: [PartnershipKind.INTERNSHIP_BASE, PartnershipKind.ORDER_CLASS])
    status = PartnershipStatus.PROPOSED
    start_date = datetime.date(2024, 9, 1)
    end_date = None

    @factory.post_generation
    def programs(self, create, extracted, **kwargs):
        if create and extracted:
            self.programs.set(extracted)


class ContributionFactory(DjangoModelFactory):
    class Meta:
        model = Contribution

    partnership = factory.SubFactory(PartnershipFactory)
    party = ContributionParty.ENTERPRISE
    kind = ContributionKind.EQUIPMENT
    value = Decimal("50000.00")
    date = datetime.date(2024, 10, 15)
    note = ""


class EnterpriseProjectFactory(DjangoModelFactory):
    """An open project in its enterprise's sector."""

    class Meta:
        model = EnterpriseProject

    enterprise = factory.SubFactory(EnterpriseFactory)
    title = factory.Sequence(lambda n: f"产线视觉检测系统改造{n}")
    summary = ""
    skills = "PLC, machine vision"
    sector = factory.SelfAttribute("enterprise.sector")
    capacity = 30
    status = ProjectStatus.OPEN
    start_date = datetime.date(2024, 9, 1)
    end_date = datetime.date(2025, 1, 15)


class ProjectAdoptionFactory(DjangoModelFactory):
    class Meta:
        model = ProjectAdoption

    project = factory.SubFactory(EnterpriseProjectFactory)
    course = factory.SubFactory(CourseFactory)
    year = 2024
    students = 30
    outcome = ""


class TalentDemandFactory(DjangoModelFactory):
    """A demand in its enterprise's sector and region."""

    class Meta:
        model = TalentDemand

    enterprise = factory.SubFactory(EnterpriseFactory)
    position = factory.Sequence(lambda n: f"工业机器人运维工程师{n}")
    sector = factory.SelfAttribute("enterprise.sector")
    region = factory.SelfAttribute("enterprise.region")
    headcount = 5
    skills = ""
    year = 2025


class TrainingBaseFactory(DjangoModelFactory):
    """Owned by a new school, unless `enterprise` or `consortium` is given."""

    class Meta:
        model = TrainingBase

    name = factory.Sequence(lambda n: f"智能制造实训基地{n}")
    enterprise = None
    consortium = None
    school = factory.Maybe(
        factory.LazyAttribute(lambda o: o.enterprise is None and o.consortium is None),
        yes_declaration=factory.SubFactory(SchoolFactory),
        no_declaration=None,
    )
    co_built = True
    on_campus = True
    open_to_public = False
    equipment_value = Decimal("1000000.00")
    enterprise_equipment_value = Decimal("300000.00")
    capacity_hours = 2000


class TrainingBaseUsageFactory(DjangoModelFactory):
    class Meta:
        model = TrainingBaseUsage

    base = factory.SubFactory(TrainingBaseFactory)
    year = 2024
    internal_hours = 1200
    external_hours = 300


class TechnicalServiceFactory(DjangoModelFactory):
    class Meta:
        model = TechnicalService

    school = factory.SubFactory(SchoolFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    title = factory.Sequence(lambda n: f"设备故障诊断技术服务{n}")
    year = 2024
    amount = Decimal("80000.00")


class PatentFactory(DjangoModelFactory):
    """A granted patent, not transferred."""

    class Meta:
        model = Patent

    school = factory.SubFactory(SchoolFactory)
    number = factory.Sequence(lambda n: f"ZL2023{10**7 + n:08d}.{n % 10}")
    title = factory.Sequence(lambda n: f"一种工业机器人末端夹具{n}")
    granted_on = datetime.date(2024, 3, 1)
    transferred_on = None
    licensee = None
