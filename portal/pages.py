"""The building blocks of the portal's browser pages: scoped lists, details and forms.

Every page narrows its rows with `portal.scoping.restrict` (the same function as the API): a row
outside the user's view answers 404, a change outside their rights 403, and nothing is written.
Lists filter with the apps' FilterSets (the API's), search, sort by whitelisted columns and
paginate, at a constant number of queries per page (declare `select_related` on the queryset).
Forms show every error beside its field and keep what was typed; choices of related records are
limited to what the user may see (or, for the organisation a row belongs to, may change).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic

from .audit import may_read_any_history, may_read_history
from .history import history_panel, history_url
from .scoping import CHANGE, VIEW, may_write, restrict


@dataclass(frozen=True)
class Column:
    """One column of a list page: a heading, how to get the cell from a row (an attribute path
    like "program__name", or a callable), the URL name of the row's page the cell links to (called
    with the row's pk), and the ordering it sorts by (a key of the view's `orderings`)."""

    label: Any
    value: str | Callable[[Any], Any]
    link: str | None = None
    sort: str | None = None
    numeric: bool = False

    def url(self, obj) -> str | None:
        return reverse(self.link, args=[obj.pk]) if self.link else None

    def cell(self, obj) -> Any:
        if callable(self.value):
            return self.value(obj)
        for name in self.value.split("__"):
            if obj is None:
                return None
            display = getattr(obj, f"get_{name}_display", None)
            obj = display() if callable(display) else getattr(obj, name)
        return obj


class HistoryColumn(Column):
    """The link to a row's history (portal.history), on lists of records without a page of their own."""

    def url(self, obj) -> str | None:
        return history_url(obj)

    def cell(self, obj) -> Any:
        return _("History")


class PageMixin(LoginRequiredMixin):
    """Title, section (for the navigation) and breadcrumbs of a page."""

    title: Any = ""
    section: str = ""

    def get_title(self) -> Any:
        return self.title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("title", self.get_title())
        context["section"] = self.section
        return context


class ScopedQuerysetMixin:
    """Rows the user may see (`perm = VIEW`) or change (`perm = CHANGE`)."""

    perm = VIEW

    def get_queryset(self) -> QuerySet:
        return restrict(super().get_queryset(), self.request.user, self.perm)


class ScopedListView(PageMixin, ScopedQuerysetMixin, generic.ListView):
    """A list page: `?search=`, the FilterSet's fields, `?ordering=key` or `-key` over `orderings`
    ({key: model field path}), 25 rows a page. Invalid filter values show a message and list nothing."""

    template_name = "pages/list.html"
    paginate_by = 25
    filterset_class = None
    search_fields: tuple[str, ...] = ()
    orderings: dict[str, str] = {}
    default_ordering: tuple[str, ...] = ()
    columns: tuple[Column, ...] = ()
    create_url: str | None = None  # URL name of the add page, shown when the user may add
    empty_text: Any = _("Nothing here yet.")
    # A History link on each row, for platform admins and reviewers: on lists whose rows have no page
    # of their own and that a reviewer sees only in their region.
    history_links = False

    def get_queryset(self) -> QuerySet:
        qs = super().get_queryset()
        self.filterset = None
        self.search = self.request.GET.get("search", "").strip()[:100]
        self.current_ordering = ""
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(self.request.GET or None, queryset=qs, request=self.request)
            if self.filterset.is_bound and not self.filterset.is_valid():
                return qs.none()
            qs = self.filterset.qs
        if self.search and self.search_fields:
            qs = qs.filter(reduce(or_, (Q(**{f"{f}__icontains": self.search}) for f in self.search_fields)))
        return qs.order_by(*self.ordering_fields())

    def ordering_fields(self) -> list[str]:
        key = self.request.GET.get("ordering", "")
        self.current_ordering = ""
        if key.lstrip("-") in self.orderings:
            self.current_ordering = key
            field = self.orderings[key.lstrip("-")]
            return [f"-{field}" if key.startswith("-") else field, "pk"]
        return [*(self.default_ordering or self.model._meta.ordering or ()), "pk"]

    def may_create(self) -> bool:
        return bool(self.create_url)

    def get_columns(self) -> tuple[Column, ...]:
        if self.history_links and may_read_any_history(self.request.user):
            return (*self.columns, HistoryColumn(label=_("History"), value=""))
        return self.columns

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        columns = self.get_columns()
        context.update(
            filterset=self.filterset,
            search=self.search,
            searchable=bool(self.search_fields),
            columns=[
                {"column": c, "sort": c.sort, "active": self.current_ordering.lstrip("-") == c.sort and c.sort,
                 "descending": self.current_ordering.startswith("-")}
                for c in columns
            ],
            rows=[(obj, [(c, c.cell(obj), c.url(obj)) for c in columns]) for obj in context["object_list"]],
            query_without_page=query.urlencode(),
            query_without_ordering=_without(self.request.GET, "ordering", "page"),
            create_link=reverse(self.create_url) if self.create_url and self.may_create() else None,
            empty_text=self.empty_text,
        )
        return context


def _without(querydict, *names: str) -> str:
    query = querydict.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


class ScopedDetailView(PageMixin, ScopedQuerysetMixin, generic.DetailView):
    """One row the user may see; anything else is 404. Platform admins and the region's reviewers
    also get its latest history (`history`, shown by components/history.html)."""

    def get_title(self) -> Any:
        return str(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = history_panel(self.request.user, self.object)
        return context


# --- forms ----------------------------------------------------------------------------------------


def scope_form_choices(form: forms.BaseForm, user, *, changeable: tuple[str, ...] = ()) -> None:
    """Limit every related-record field to the rows the user may see; the fields in `changeable`
    (the organisation or record a new row belongs to) to the rows the user may change."""
    for name, field in form.fields.items():
        queryset = getattr(field, "queryset", None)
        if isinstance(queryset, QuerySet):
            field.queryset = restrict(queryset, user, CHANGE if name in changeable else VIEW)


class ScopedFormMixin(PageMixin):
    """Create and edit pages: choices scoped, the result checked against the user's change scope
    (403 and nothing written outside it), model validation errors shown beside their fields."""

    template_name = "pages/form.html"
    changeable_choices: tuple[str, ...] = ()
    success_message: Any = _("Saved.")
    success_url_name: str | None = None  # the saved row's page, reversed with its pk
    # {field: message} shown when the database refuses a row another request saved meanwhile
    race_error: dict | None = None

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        scope_form_choices(form, self.request.user, changeable=self.changeable_choices)
        return form

    def check_may_write(self, form) -> None:
        instance = getattr(self, "object", None)
        if not may_write(self.request.user, form._meta.model, form.cleaned_data, instance):
            raise PermissionDenied(_("You may not change this record."))

    def save(self, form):
        """Write the form (override to call a service); return the saved object. A constraint the
        database enforces but another request broke meanwhile becomes a form error, not a 500."""
        try:
            with transaction.atomic():
                return form.save()
        except IntegrityError:
            raise ValidationError(
                self.race_error or _("Another change to this record was saved meanwhile; check it and try again.")
            ) from None

    def get_success_url(self):
        if self.success_url_name:
            return reverse(self.success_url_name, args=[self.object.pk])
        return super().get_success_url()

    def form_valid(self, form):
        self.check_may_write(form)
        try:
            # The form validated only its own fields; constraints across fields it does not show
            # (e.g. unique per program, the program being fixed by the URL) are checked here.
            form.instance.validate_unique()
            form.instance.validate_constraints()
            self.object = self.save(form)
        except ValidationError as exc:
            _add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return super(generic.edit.ModelFormMixin, self).form_valid(form)


def _add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ScopedCreateView(ScopedFormMixin, generic.CreateView):
    pass


class ScopedUpdateView(ScopedFormMixin, ScopedQuerysetMixin, generic.UpdateView):
    """Edit a row: invisible → 404, visible but not changeable → 403."""

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)  # among the rows the user may see
        if not restrict(type(obj)._default_manager.filter(pk=obj.pk), self.request.user, CHANGE).exists():
            raise PermissionDenied(_("You may not change this record."))
        return obj

    def get_title(self) -> Any:
        return _("Edit %(record)s") % {"record": self.object}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, obj = self.request.user, self.object
        if may_read_any_history(user) and may_read_history(user, type(obj), obj.pk):
            context["history_url"] = history_url(obj)
        return context


def may_change(obj, user) -> bool:
    """Whether the user may change this row (portal.scoping's change rules)."""
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, CHANGE).exists()


class ChildFormMixin:
    """Forms of rows that live under a parent named by the URL (a program's courses and yearly
    figures, a training base's yearly use): the parent must be visible (else 404) and changeable
    (else 403); it is set on the row and offered to the template under `parent_field`."""

    parent_model: type[models.Model]
    parent_field = ""  # the row's field naming its parent; also the URL keyword of the parent's pk
    parent_denied: Any = _("You may not change this record.")
    parent_url_name = ""  # after saving, back to the parent's page …
    parent_anchor = ""  # … at this section ("#courses")

    def get_success_url(self):
        return reverse(self.parent_url_name, args=[self.parent.pk]) + self.parent_anchor

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.parent = get_visible_or_404(self.parent_model, request.user, pk=kwargs[self.parent_field])
        if not may_change(self.parent, request.user):
            raise PermissionDenied(self.parent_denied)
        setattr(self, self.parent_field, self.parent)
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        setattr(form.instance, self.parent_field, self.parent)
        return form

    def check_may_write(self, form) -> None:
        values = {**form.cleaned_data, self.parent_field: self.parent}
        if not may_write(self.request.user, form._meta.model, values, getattr(self, "object", None)):
            raise PermissionDenied(_("You may not change this record."))

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), self.parent_field: self.parent}


def get_visible_or_404(model: type[models.Model], user, **lookup):
    """One row the user may see, or 404."""
    obj = restrict(model._default_manager.filter(**lookup), user, VIEW).first()
    if obj is None:
        raise Http404
    return obj
