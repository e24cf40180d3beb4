"""A user's own account: their API tokens (list, create, revoke), and what a login locked out by
django-axes answers (settings.AXES_LOCKOUT_CALLABLE)."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .models import ApiToken


# --- login lockout -------------------------------------------------------------------------------
def lockout_minutes() -> int:
    return max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_message() -> str:
    minutes = lockout_minutes()
    return ngettext(
        "Too many failed attempts: this account is locked for %(minutes)d minute. Try again later, "
        "or ask an administrator to unlock it.",
        "Too many failed attempts: this account is locked for %(minutes)d minutes. Try again later, "
        "or ask an administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}


def is_locked_out(request: HttpRequest) -> bool:
    """Whether django-axes refused (or just locked) the login attempted in this request."""
    return bool(getattr(request, "axes_locked_out", False))


def _form_showing(form_class, request: HttpRequest, username: str, message: str):
    """An empty login form (the username kept) whose only error is `message`."""

    class LockedOutForm(form_class):
        def full_clean(self):
            self._errors = ErrorDict()
            self.cleaned_data = {}
            self.add_error(None, message)

    return LockedOutForm(request, initial={"username": username})


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    """The answer to a locked-out login: the API's own JSON answer (see ObtainTokenView) or JSON,
    else the login page it came from (the admin's or the portal's) with the lockout message, the
    typed username kept and the password empty."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    if original_response is not None and original_response.status_code == status:
        return original_response
    message = lockout_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    next_url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    admin_prefix = reverse("admin:index")
    if request.path.startswith(admin_prefix):
        site = admin.site
        form_class = site.login_form or AdminAuthenticationForm
        context = {
            **site.each_context(request),
            "title": _("Log in"),
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": username,
            "form": _form_showing(form_class, request, username, message),
            REDIRECT_FIELD_NAME: next_url or admin_prefix,
        }
        return render(request, site.login_template or "admin/login.html", context, status=status)
    context = {
        "form": _form_showing(AuthenticationForm, request, username, message),
        "next": next_url,
    }
    return render(request, "registration/login.html", context, status=status)


def reset_failed_logins(request: HttpRequest, username: str) -> None:
    """Clear the failed-login count of `username` from this client after a successful sign-in that
    is not a session login (the API token endpoint); session logins are reset by django-axes."""
    if settings.AXES_ENABLED and settings.AXES_RESET_ON_SUCCESS:
        from axes.helpers import get_client_ip_address
        from axes.utils import reset

        reset(ip=get_client_ip_address(request), username=username)


# --- API tokens ----------------------------------------------------------------------------------
class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What the token is for, e.g. the system that uses it."))
    read_only = forms.BooleanField(label=_("Read-only: the token can read but not change anything"),
                                   required=False)


@never_cache
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's API tokens; a POST creates one and shows its key on this answer only (it is
    never stored, and no later page can show it)."""
    new_key = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            _token, new_key = ApiToken.issue(user=request.user, name=form.cleaned_data["name"],
                                             read_only=form.cleaned_data["read_only"])
            form = TokenForm()
    else:
        form = TokenForm()
    context = {
        "title": _("Your API tokens"),
        "section": "",
        "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at", "-pk"),
        "form": form,
        "new_key": new_key,
    }
    return render(request, "portal/tokens.html", context)


@require_POST
@login_required
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)  # another user's token: 404
    label = token.name or token.prefix
    token.delete()
    messages.success(request, _("The token “%(name)s” is revoked: it no longer opens the API.") % {"name": label})
    return redirect("tokens")


urlpatterns = [
    path("tokens/", tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", revoke_token, name="token-revoke"),
]
