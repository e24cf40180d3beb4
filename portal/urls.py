"""Root URLs: the only place besides settings that knows every app."""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from evaluation import pages as evaluation_pages
from evaluation.api import urls as evaluation_api
from partnerships.api import urls as partnerships_api
from portal.api import urls as portal_api
from portal.api.resources import ObtainTokenView
from programs.api import urls as programs_api

from . import views
from .history import RecordHistoryView

# One router for every app's API resources (each app lists its routes in api/urls.py).
router = DefaultRouter()
for app_routes in (portal_api.routes, programs_api.routes, partnerships_api.routes, evaluation_api.routes):
    for prefix, viewset, basename in app_routes:
        router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz/", views.healthz, name="healthz"),
    path("api/v1/auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("account/export/", include("portal.export")),
    path("account/", include("portal.account")),
    path("teaching/", include("programs.urls")),
    path("cooperation/", include("partnerships.urls")),
    path("directory/", include("portal.directory")),
    path("history/<slug:app_label>/<slug:model_name>/<int:pk>/", RecordHistoryView.as_view(), name="history"),
    path("evaluation/", include("evaluation.urls")),
    path("", evaluation_pages.home, name="home"),
]

# MEDIA_ROOT is never served, not even with DEBUG: uploaded documents are downloaded only through
# views that check who may see them (portal.documents).
