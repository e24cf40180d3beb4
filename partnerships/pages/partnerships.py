"""Pages: partnerships between a school and an enterprise and their contribution ledger.

A college admin proposes (and changes the proposal while it waits), suspends and ends; the
enterprise's liaison accepts or declines and adds the enterprise's contributions; reviewers read
their region's. Every write goes through partnerships.services; the scoping is portal.scoping's, as
in the API. The enterprise's feedback on a partnership is evaluation's (its pages and the
`partnership_feedback` template tag the detail page loads): no Python here depends on evaluation."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import django_filters as filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views import generic

from portal import documents
from portal.choices import Role
from portal.fields import choice_set_contains
from portal.filters import YearFilter
from portal.models import Enterprise
from portal.pages import (
    Column,
    PageMixin,
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
    get_visible_or_404,
)
from portal.scoping import CHANGE, VIEW, may_write, restrict
from programs.models import Program

from .. import services
from ..choices import ContributionParty, PartnershipKind, PartnershipStatus
from ..models import Contribution, Partnership
from ..querysets import active_in_q

Status = PartnershipStatus

# The badge look of each status (portal.css: badge--ok, badge--warn, badge--bad; plain otherwise).
STATUS_BADGES = {
    Status.PROPOSED: "warn",
    Status.ACTIVE: "ok",
    Status.SUSPENDED: "warn",
    Status.DECLINED: "bad",
    Status.ENDED: "",
}

def status_badge(partnership: Partnership):
    tone = STATUS_BADGES.get(partnership.status, "")
    return format_html('<span class="badge{}">{}</span>', f" badge--{tone}" if tone else "",
                       partnership.get_status_display())


def kinds_display(partnership: Partnership) -> str:
    labels = dict(PartnershipKind.choices)
    return ", ".join(str(labels.get(kind, kind)) for kind in partnership.kinds)


def _may_answer(user, partnership: Partnership) -> bool:
    """The enterprise's side (its liaison) accepts or declines (partnerships.services._may_answer)."""
    return user.role == Role.PLATFORM_ADMIN or (
        user.role == Role.ENTERPRISE_LIAISON and user.enterprise_id == partnership.enterprise_id
    )


def _may_manage(user, partnership: Partnership) -> bool:
    """The school's side (its college admin) suspends and ends (partnerships.services._may_manage)."""
    return user.role == Role.PLATFORM_ADMIN or (
        user.role == Role.COLLEGE_ADMIN and user.school_id == partnership.school_id
    )


# --- the list -------------------------------------------------------------------------------------


class PartnershipPageFilterSet(filters.FilterSet):
    """The list page's filters: status, kind of cooperation, academic year in which it was active."""

    status = filters.ChoiceFilter(label=_("Status"), choices=Status.choices, empty_label=_("Any status"))
    kind = filters.ChoiceFilter(label=_("Kind of cooperation"), choices=PartnershipKind.choices,
                                empty_label=_("Any kind"), method="filter_kind")
    active_in = YearFilter(label=_("Active in academic year"), method="filter_active_in", help_text="")

    class Meta:
        model = Partnership
        fields = ["status", "kind", "active_in"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.form.fields["active_in"].widget.attrs.update(placeholder="2025", inputmode="numeric")

    def filter_kind(self, qs, name, value):
        return qs.filter(choice_set_contains("kinds", value)) if value else qs

    def filter_active_in(self, qs, name, value):
        return qs if value in (None, "") else qs.filter(active_in_q(int(value)))


class PartnershipListView(ScopedListView):
    """The partnerships the user may see: a college admin's school's, a liaison's enterprise's
    (proposals awaiting their answer first), a reviewer's region's (platform admins: all)."""

    model = Partnership
    perm = VIEW
    queryset = Partnership.objects.select_related("school", "enterprise")
    template_name = "partnerships/partnership_list.html"
    title = _("Partnerships")
    section = "partnerships"
    filterset_class = PartnershipPageFilterSet
    search_fields = ("title", "school__name", "school__name_en", "enterprise__name", "enterprise__name_en")
    orderings = {"title": "title", "start": "start_date", "end": "end_date", "status": "status"}
    default_ordering = ("-start_date",)
    create_url = "partnerships:partnership-add"
    empty_text = _("No partnerships yet.")
    columns = (
        Column(_("Title"), "title", link="partnerships:partnership-detail", sort="title"),
        Column(_("School"), "school__name"),
        Column(_("Enterprise"), "enterprise__name"),
        Column(_("Kinds of cooperation"), kinds_display),
        Column(_("Start date"), "start_date", sort="start"),
        Column(_("End date"), "end_date", sort="end"),
        Column(_("Status"), status_badge, sort="status"),
    )

    def get_queryset(self):
        # ScopedListView returns early on invalid filters, before it sets these two.
        self.search, self.current_ordering = "", ""
        return super().get_queryset()

    def may_create(self) -> bool:
        return self.request.user.role == Role.COLLEGE_ADMIN and self.request.user.school_id is not None

    def ordering_fields(self) -> list:
        fields = super().ordering_fields()
        if self.request.user.role == Role.ENTERPRISE_LIAISON and not self.current_ordering:
            awaiting = Case(When(status=Status.PROPOSED, then=Value(0)), default=Value(1), output_field=IntegerField())
            return [awaiting.asc(), *fields]
        return fields

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.role == Role.ENTERPRISE_LIAISON:
            context["awaiting_answer"] = restrict(
                Partnership.objects.filter(enterprise=user.enterprise_id, status=Status.PROPOSED), user, VIEW
            ).count()
        return context


# --- propose and edit -----------------------------------------------------------------------------


class PartnershipForm(forms.ModelForm):
    """The terms of a partnership; its school is the proposing college's, its status the services'."""

    class Meta:
        model = Partnership
        fields = ["enterprise", "title", "kinds", "programs", "start_date", "end_date", "agreement", "description"]
        widgets = {
            "programs": forms.CheckboxSelectMultiple,
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "programs": _("Only your school's programs can be named."),
            "end_date": _("Leave empty for an open-ended agreement."),
            "agreement": documents.help_text(),
        }

    def __init__(self, *args, school_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kinds"].label = _("Kinds of cooperation")
        self.fields["enterprise"].queryset = Enterprise.objects.order_by("name")
        self.fields["enterprise"].label_from_instance = lambda enterprise: enterprise.name
        self.fields["programs"].queryset = Program.objects.filter(school=school_id).order_by("code", "id")
        self.fields["programs"].label_from_instance = lambda program: f"{program.code} {program.name}"
        # The current agreement links to the download that checks who may see it (nothing serves MEDIA_URL).
        self.fields["agreement"].widget = documents.DocumentInput(
            download_url=reverse("partnerships:partnership-agreement", args=[self.instance.pk]) if self.instance.pk
            else "",
        )

    def service_fields(self) -> dict:
        fields = dict(self.cleaned_data)
        if fields.get("agreement") is False:  # "clear" ticked on the file input
            fields["agreement"] = ""
        elif fields.get("agreement") is None:
            fields.pop("agreement", None)
        return fields


class PartnershipFormMixin:
    model = Partnership
    form_class = PartnershipForm
    template_name = "partnerships/partnership_form.html"
    section = "partnerships"

    def school_id(self) -> int | None:
        raise NotImplementedError

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "school_id": self.school_id()}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        # scope_form_choices narrowed them to what the user may see; narrow programs to the school's.
        form.fields["programs"].queryset = form.fields["programs"].queryset.filter(school=self.school_id())
        return form

    success_url_name = "partnerships:partnership-detail"


class PartnershipCreateView(PartnershipFormMixin, ScopedCreateView):
    """A college admin proposes a partnership to an enterprise (partnerships.services.partnership_propose)."""

    title = _("Propose a partnership")
    success_message = _("The partnership was proposed; it now waits for the enterprise's answer.")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.user.role != Role.COLLEGE_ADMIN or request.user.school_id is None:
            raise PermissionDenied(_("Partnerships are proposed by college administrators."))
        return super().dispatch(request, *args, **kwargs)

    def school_id(self) -> int | None:
        return self.request.user.school_id

    def check_may_write(self, form) -> None:
        values = {**form.cleaned_data, "school": self.request.user.school}
        if not may_write(self.request.user, Partnership, values):
            raise PermissionDenied(_("You may not change this record."))

    def save(self, form):
        return services.partnership_propose(by=self.request.user, school=self.request.user.school,
                                            **form.service_fields())


class PartnershipUpdateView(PartnershipFormMixin, ScopedUpdateView):
    """The proposing college changes a proposal until the enterprise answers
    (partnerships.services.partnership_update); afterwards 403."""

    queryset = Partnership.objects.select_related("school", "enterprise")
    success_message = _("The proposal was saved.")

    def school_id(self) -> int | None:
        return self.object.school_id

    def save(self, form):
        return services.partnership_update(partnership=self.object, by=self.request.user, **form.service_fields())


# --- one partnership ------------------------------------------------------------------------------


def ledger_totals(contributions) -> list[dict]:
    """The ledger's total per party (in the order of ContributionParty), parties without entries left out."""
    totals: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    for contribution in contributions:
        totals[contribution.party] = totals.get(contribution.party, Decimal("0")) + contribution.value
        counts[contribution.party] = counts.get(contribution.party, 0) + 1
    return [
        {"party": party, "label": label, "total": totals[party], "count": counts[party]}
        for party, label in ContributionParty.choices
        if party in totals
    ]


def contribution_parties(user, partnership: Partnership) -> list[tuple[str, str]]:
    """The parties whose ledger entries `user` may add to `partnership` (DESIGN.md section 2: each
    side its own; platform admins any)."""
    if partnership.status == Status.DECLINED:
        return []
    if user.role == Role.PLATFORM_ADMIN:
        return list(ContributionParty.choices)
    parties = []
    for party, label in ContributionParty.choices:
        values = {"partnership": partnership, "party": party}
        if may_write(user, Contribution, values):
            parties.append((party, label))
    return parties


class PartnershipDetailView(ScopedDetailView):
    """A partnership: parties, terms, the agreement, the contribution ledger with totals per party,
    and the actions the user's side may take in its state (the template adds the enterprise's
    feedback through evaluation's `partnership_feedback` tag)."""

    model = Partnership
    template_name = "partnerships/partnership_detail.html"
    section = "partnerships"
    queryset = Partnership.objects.select_related("school", "enterprise", "proposed_by").prefetch_related(
        Prefetch("programs", queryset=Program.objects.order_by("code", "id")),
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, partnership = self.request.user, self.object
        contributions = list(
            restrict(Contribution.objects.filter(partnership=partnership), user, VIEW).order_by("-date", "id")
        )
        status = partnership.status
        answer, manage = _may_answer(user, partnership), _may_manage(user, partnership)
        context.update(
            partnership=partnership,
            kinds=kinds_display(partnership),
            status_badge=status_badge(partnership),
            contributions=contributions,
            totals=ledger_totals(contributions),
            grand_total=sum((c.value for c in contributions), Decimal("0")),
            may_answer=answer and status == Status.PROPOSED,
            may_edit=restrict(Partnership.objects.filter(pk=partnership.pk), user, CHANGE).exists(),
            may_suspend=manage and status == Status.ACTIVE,
            may_end=manage and status in (Status.ACTIVE, Status.SUSPENDED),
            may_contribute=bool(contribution_parties(user, partnership)),
        )
        return context


class PartnershipAgreementView(PageMixin, generic.View):
    """Download the signed agreement: for those who may see the partnership (else 404), as the API's
    /api/v1/partnerships/{id}/agreement/."""

    def get(self, request, pk: int):
        return documents.document_response(get_visible_or_404(Partnership, request.user, pk=pk).agreement)


# The state changes: (service, message on success).
TRANSITIONS: dict[str, tuple[Callable[..., Partnership], object]] = {
    "accept": (services.partnership_accept, _("The partnership was accepted; it is now active.")),
    "decline": (services.partnership_decline, _("The proposal was declined.")),
    "suspend": (services.partnership_suspend, _("The partnership was suspended.")),
    "end": (services.partnership_end, _("The partnership was ended.")),
}


class PartnershipTransitionView(PageMixin, generic.View):
    """Accept, decline, suspend or end (POST only): invisible → 404, the wrong side → 403 (from the
    service), the wrong state → back to the page with the service's message; nothing written."""

    action = ""

    def post(self, request, pk: int):
        partnership = get_visible_or_404(Partnership, request.user, pk=pk)
        service, done = TRANSITIONS[self.action]
        try:
            service(partnership=partnership, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, done)
        return redirect("partnerships:partnership-detail", pk=partnership.pk)


# --- the contribution ledger ----------------------------------------------------------------------


class ContributionForm(forms.ModelForm):
    class Meta:
        model = Contribution
        fields = ["party", "kind", "value", "date", "note"]
        widgets = {
            "value": forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, parties: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = parties
        if len(parties) == 1:
            self.fields["party"].initial = parties[0][0]
            self.fields["party"].help_text = _("You record your own side's contributions.")


class PartnershipChildMixin:
    """Pages under one partnership (fixed by the URL): invisible → 404."""

    section = "partnerships"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.partnership = get_visible_or_404(Partnership, request.user, pk=kwargs["partnership"])
        self.check_allowed()
        return super().dispatch(request, *args, **kwargs)

    def check_allowed(self) -> None:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "partnership": self.partnership}


class ContributionCreateView(PartnershipChildMixin, ScopedCreateView):
    """Add an entry to the ledger: a college admin the school's, a liaison the enterprise's
    (partnerships.services.contribution_add); a declined partnership takes none."""

    model = Contribution
    form_class = ContributionForm
    template_name = "partnerships/contribution_form.html"
    success_message = _("The contribution was added to the ledger.")

    def check_allowed(self) -> None:
        self.parties = contribution_parties(self.request.user, self.partnership)
        if not self.parties:
            if self.partnership.status == Status.DECLINED:
                raise PermissionDenied(_("A declined partnership has no contributions."))
            raise PermissionDenied(_("You may not add contributions to this partnership."))

    def get_title(self):
        return _("Add a contribution to %(partnership)s") % {"partnership": self.partnership.title}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "parties": self.parties}

    def get_initial(self):
        return {"date": timezone.localdate()}

    def check_may_write(self, form) -> None:
        values = {**form.cleaned_data, "partnership": self.partnership}
        if not may_write(self.request.user, Contribution, values):
            raise PermissionDenied(_("You may only add your own side's contributions."))

    def save(self, form):
        return services.contribution_add(by=self.request.user, partnership=self.partnership, **form.cleaned_data)

    def get_success_url(self):
        return reverse("partnerships:partnership-detail", args=[self.partnership.pk]) + "#ledger"


urlpatterns = [
    path("partnerships/", PartnershipListView.as_view(), name="partnership-list"),
    path("partnerships/propose/", PartnershipCreateView.as_view(), name="partnership-add"),
    path("partnerships/<int:pk>/", PartnershipDetailView.as_view(), name="partnership-detail"),
    path("partnerships/<int:pk>/edit/", PartnershipUpdateView.as_view(), name="partnership-edit"),
    path("partnerships/<int:pk>/agreement/", PartnershipAgreementView.as_view(), name="partnership-agreement"),
    *(
        path(f"partnerships/<int:pk>/{action}/", PartnershipTransitionView.as_view(action=action),
             name=f"partnership-{action}")
        for action in TRANSITIONS
    ),
    path("partnerships/<int:partnership>/contributions/add/", ContributionCreateView.as_view(),
         name="contribution-add"),
]
