"""Partnerships in the admin: kinds entered as checkboxes and listed as labels, filtered by kind and
status; the workflow fields stay read-only."""
from __future__ import annotations

import pytest
from django.urls import reverse

from partnerships.models import Partnership
from partnerships.tests.factories import PartnershipFactory
from portal.tests.factories import EnterpriseFactory, SchoolFactory
from programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db
ADD_URL = reverse("admin:partnerships_partnership_add")
LIST_URL = reverse("admin:partnerships_partnership_changelist")


def form_data(**fields):
    return {
        "title": "智能制造订单班", "start_date": "2024-09-01", "end_date": "", "description": "",
        "contributions-TOTAL_FORMS": "0", "contributions-INITIAL_FORMS": "0", **fields,
    }


def test_add_page_offers_each_kind_as_a_checkbox(platform_client):
    content = platform_client.get(ADD_URL).content.decode()
    assert content.count('type="checkbox" name="kinds"') == len(Partnership.Kind)


def test_platform_admin_records_a_partnership_with_several_kinds(platform_client):
    school, enterprise = SchoolFactory(), EnterpriseFactory()
    program = ProgramFactory(school=school)
    response = platform_client.post(ADD_URL, form_data(
        school=school.pk, enterprise=enterprise.pk, kinds=["order_class", "joint_rnd"], programs=[program.pk],
        **{"contributions-TOTAL_FORMS": "1", "contributions-0-party": "enterprise", "contributions-0-kind": "equipment",
           "contributions-0-value": "200000", "contributions-0-date": "2024-10-01"},
    ))
    assert response.status_code == 302
    created = Partnership.objects.get()
    assert created.kinds == ["joint_rnd", "order_class"]
    assert created.status == "proposed"
    assert list(created.programs.all()) == [program]
    assert created.contributions.get().value == 200000


def test_a_partnership_needs_at_least_one_kind(platform_client):
    response = platform_client.post(ADD_URL, form_data(school=SchoolFactory().pk, enterprise=EnterpriseFactory().pk))
    assert response.status_code == 200
    assert "kinds" in response.context["adminform"].form.errors
    assert not Partnership.objects.exists()


def test_an_unknown_kind_is_refused(platform_client):
    response = platform_client.post(ADD_URL, form_data(
        school=SchoolFactory().pk, enterprise=EnterpriseFactory().pk, kinds=["sponsorship"]))
    assert "kinds" in response.context["adminform"].form.errors


def test_status_cannot_be_changed_through_the_change_form(platform_client):
    row = PartnershipFactory(kinds=["order_class"])
    url = reverse("admin:partnerships_partnership_change", args=[row.pk])
    response = platform_client.post(url, form_data(
        school=row.school_id, enterprise=row.enterprise_id, kinds=["order_class", "employment"], status="active"))
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.kinds) == ("proposed", ["employment", "order_class"])


def test_list_shows_kinds_as_translated_labels(platform_client):
    PartnershipFactory(kinds=["joint_rnd", "order_class"])
    content = platform_client.get(LIST_URL).content.decode()
    assert "joint research and development, order class" in content


def test_list_filters_by_kind_and_status(platform_client):
    rnd = PartnershipFactory(kinds=["joint_rnd", "order_class"], title="联合研发")
    PartnershipFactory(kinds=["order_class"], title="订单班")
    ended = PartnershipFactory(kinds=["joint_rnd"], status="ended", title="已结束研发")

    def listed(**params):
        return {row.title for row in platform_client.get(LIST_URL, params).context["cl"].result_list}

    assert listed(kind="joint_rnd") == {rnd.title, ended.title}
    assert listed(kind="joint_rnd", status__exact="ended") == {ended.title}
    assert len(listed(kind="order_class")) == 2


def test_list_searches_by_enterprise_name(platform_client):
    wanted = PartnershipFactory(enterprise=EnterpriseFactory(name="美的集团股份有限公司"))
    PartnershipFactory()
    results = platform_client.get(LIST_URL, {"q": "美的"}).context["cl"].result_list
    assert list(results) == [wanted]
