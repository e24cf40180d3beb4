"""API resources of the tenancy: regions, sectors, schools, enterprises, users and tokens."""
from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.account import is_locked_out, lockout_message, lockout_minutes, reset_failed_logins
from portal.choices import Role
from portal.filters import (
    EnterpriseFilterSet,
    RegionFilterSet,
    SchoolFilterSet,
    SectorFilterSet,
    UserFilterSet,
)
from portal.models import ApiToken, Enterprise, Region, School, Sector, User

from .permissions import IsPlatformAdmin, ReadOnlyUnlessPlatformAdmin
from .serializers import CodeRelatedField, PortalModelSerializer, ScopedPrimaryKeyRelatedField
from .throttling import ScopedRateThrottle
from .viewsets import ScopedModelViewSet


# --- serializers -------------------------------------------------------------------------------
class RegionSerializer(PortalModelSerializer):
    parent = CodeRelatedField(queryset=Region.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Region
        fields = ["id", "code", "name", "name_en", "level", "parent"]


class SectorSerializer(PortalModelSerializer):
    parent = CodeRelatedField(queryset=Sector.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Sector
        fields = ["id", "code", "name", "name_en", "parent"]


class SchoolSerializer(PortalModelSerializer):
    region = CodeRelatedField(queryset=Region.objects.all())
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = School
        fields = ["id", "name", "name_en", "code", "level", "region", "region_name", "ownership", "website",
                  "created_at", "updated_at"]

    def validate_code(self, value):
        _keep_registered_code(self, "code", value, _("Only a platform administrator can change a school's code."))
        return value


class EnterpriseSerializer(PortalModelSerializer):
    region = CodeRelatedField(queryset=Region.objects.all())
    sector = CodeRelatedField(queryset=Sector.objects.all())
    region_name = serializers.CharField(source="region.name", read_only=True)
    sector_name = serializers.CharField(source="sector.name", read_only=True)

    class Meta:
        model = Enterprise
        fields = ["id", "name", "name_en", "credit_code", "region", "region_name", "sector", "sector_name", "size",
                  "integration_certified", "website", "created_at", "updated_at"]

    def validate_credit_code(self, value):
        _keep_registered_code(
            self, "credit_code", value, _("Only a platform administrator can change an enterprise's credit code.")
        )
        return value

    def validate_integration_certified(self, value):
        _keep_registered_code(
            self, "integration_certified", value,
            _("Only a platform administrator records the integration-enterprise certification."),
        )
        return value


def _keep_registered_code(serializer, field: str, value, message) -> None:
    instance = serializer.instance
    user = serializer.context["request"].user
    if instance is not None and getattr(instance, field) != value and user.role != Role.PLATFORM_ADMIN:
        raise PermissionDenied(message)


class UserSerializer(PortalModelSerializer):
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"},
                                     help_text="Set on creation (required) or to change the password.")
    region = CodeRelatedField(queryset=Region.objects.all(), allow_null=True, required=False)

    class Meta:
        model = User
        fields = ["id", "username", "password", "first_name", "last_name", "email", "role", "school", "enterprise",
                  "region", "is_active", "last_login", "date_joined"]
        read_only_fields = ["last_login", "date_joined"]
        extra_kwargs = {"role": {"required": True}}

    def validate_password(self, value):
        try:
            validate_password(value, self.instance)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(list(exc.messages)) from None
        return value

    def validate(self, attrs):
        if self.instance is None and not attrs.get("password"):
            raise serializers.ValidationError({"password": [_("Set a password for the new account.")]})
        password = attrs.pop("password", None)
        attrs = super().validate(attrs)
        if password:
            attrs["password"] = password
        return attrs

    def _clean_exclude(self, model) -> list[str]:
        return [*super()._clean_exclude(model), "password"]  # hashed on save, checked by validate_password

    def create(self, validated_data):
        password = validated_data.pop("password")
        user = User(**validated_data)
        user.set_password(password)
        user.save()
        return user

    def update(self, instance, validated_data):
        password = validated_data.pop("password", None)
        instance = super().update(instance, validated_data)
        if password:
            instance.set_password(password)
            instance.save(update_fields=["password"])
        return instance


class OwnAccountSerializer(UserSerializer):
    """What a user may change of their own account: names, e-mail, password."""

    # Declared fields ignore Meta.read_only_fields: without this a reviewer could move their own
    # scope to any region (PATCH users/me {"region": "<code>"}) and read everything there.
    region = CodeRelatedField(read_only=True, allow_null=True)

    class Meta(UserSerializer.Meta):
        read_only_fields = ["username", "role", "school", "enterprise", "region", "is_active", "last_login",
                            "date_joined"]
        extra_kwargs: dict = {}


class ApiTokenSerializer(serializers.ModelSerializer):
    # Scoped like every relation (others see their own account only): naming another account answers
    # 400 "does not exist", as an unknown id does, so the answer does not tell which accounts exist.
    user = ScopedPrimaryKeyRelatedField(queryset=User.objects.all(), required=False,
                                        help_text="Platform admins may issue tokens for any account.")

    class Meta:
        model = ApiToken
        fields = ["id", "user", "name", "read_only", "prefix", "created_at", "last_used_at"]
        read_only_fields = ["prefix", "created_at", "last_used_at"]


class NewApiTokenSerializer(ApiTokenSerializer):
    """A token as answered when created: with its key, shown this once."""

    key = serializers.CharField(read_only=True, help_text="Shown once, when the token is created.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]


# --- viewsets ----------------------------------------------------------------------------------
class RegionViewSet(ScopedModelViewSet):
    """Administrative divisions (reference data, by official 6-digit code)."""

    queryset = Region.objects.select_related("parent")
    serializer_class = RegionSerializer
    extra_permission_classes = (ReadOnlyUnlessPlatformAdmin,)
    filterset_class = RegionFilterSet
    search_fields = ["code", "name", "name_en"]
    ordering_fields = ["code", "name"]
    lookup_field = "code"


class SectorViewSet(ScopedModelViewSet):
    """Industries of GB/T 4754-2017 (reference data, by code)."""

    queryset = Sector.objects.select_related("parent")
    serializer_class = SectorSerializer
    extra_permission_classes = (ReadOnlyUnlessPlatformAdmin,)
    filterset_class = SectorFilterSet
    search_fields = ["code", "name", "name_en"]
    ordering_fields = ["code", "name"]
    lookup_field = "code"


class SchoolViewSet(ScopedModelViewSet):
    """Vocational colleges and schools: everyone reads; a college admin edits their own profile."""

    queryset = School.objects.select_related("region")
    serializer_class = SchoolSerializer
    filterset_class = SchoolFilterSet
    search_fields = ["name", "name_en", "code"]
    ordering_fields = ["name", "code", "level", "created_at"]
    ordering = ["name"]


class EnterpriseViewSet(ScopedModelViewSet):
    """Enterprises: everyone reads; a liaison edits their own enterprise's profile."""

    queryset = Enterprise.objects.select_related("region", "sector")
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    search_fields = ["name", "name_en", "credit_code"]
    ordering_fields = ["name", "size", "created_at"]
    ordering = ["name"]


class UserViewSet(ScopedModelViewSet):
    """Accounts: platform admins provision them (role + scope); `me` is the caller's own."""

    queryset = User.objects.select_related("region")
    serializer_class = UserSerializer
    filterset_class = UserFilterSet
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering_fields = ["username", "date_joined", "last_login"]
    ordering = ["username"]

    def get_permissions(self):
        permissions = super().get_permissions()
        return permissions if self.action == "me" else [*permissions, IsPlatformAdmin()]

    @extend_schema(request=OwnAccountSerializer, responses=OwnAccountSerializer)
    @action(detail=False, methods=["get", "patch"], serializer_class=OwnAccountSerializer)
    def me(self, request):
        """The caller's own account; PATCH changes names, e-mail or password."""
        if request.method == "GET":
            return Response(OwnAccountSerializer(request.user, context=self.get_serializer_context()).data)
        serializer = OwnAccountSerializer(request.user, data=request.data, partial=True,
                                          context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
                      viewsets.GenericViewSet):
    """API tokens: everyone lists, creates and revokes their own; platform admins issue them for any account."""

    queryset = ApiToken.objects.select_related("user")
    serializer_class = ApiTokenSerializer
    filterset_fields = ["user", "read_only"]
    ordering_fields = ["created_at", "last_used_at"]
    search_fields = ["name", "prefix"]

    def get_queryset(self):
        user = self.request.user
        queryset = super().get_queryset()
        return queryset if user.role == Role.PLATFORM_ADMIN else queryset.filter(user=user)

    @extend_schema(responses={201: NewApiTokenSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        owner = serializer.validated_data.get("user") or request.user
        if owner != request.user and request.user.role != Role.PLATFORM_ADMIN:
            raise PermissionDenied(_("You may only create tokens for your own account."))
        token, key = ApiToken.issue(user=owner, name=serializer.validated_data.get("name", ""),
                                    read_only=serializer.validated_data.get("read_only", False))
        token.key = key
        return Response(NewApiTokenSerializer(token, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)


class ObtainTokenSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    read_only = serializers.BooleanField(default=False)
    name = serializers.CharField(default="", allow_blank=True, max_length=100)


class ObtainTokenView(APIView):
    """Exchange a username and password for a new API token (`{"token": "<key>"}`)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        request=ObtainTokenSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            429: inline_serializer("LoginLockedOut", {"detail": serializers.CharField()}),
        },
        operation_id="auth_token_create",
    )
    def post(self, request):
        serializer = ObtainTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # django-axes counts failures and refuses locked-out credentials; it marks the Django request
        # (not DRF's wrapper), so that is the one authenticated.
        django_request = request._request
        user = authenticate(django_request, username=serializer.validated_data["username"],
                            password=serializer.validated_data["password"])
        # Answered, not raised: an exception would roll back the failed attempt django-axes just
        # recorded (ATOMIC_REQUESTS), and failures would never add up to a lockout.
        if is_locked_out(django_request):
            return Response({"detail": lockout_message()}, status=status.HTTP_429_TOO_MANY_REQUESTS,
                            headers={"Retry-After": str(lockout_minutes() * 60)})
        if user is None or not user.is_active:
            return Response({"non_field_errors": [_("Unable to log in with the username and password given.")]},
                            status=status.HTTP_400_BAD_REQUEST)
        reset_failed_logins(django_request, user.get_username())
        _token, key = ApiToken.issue(user=user, name=serializer.validated_data["name"] or "obtained with password",
                                     read_only=serializer.validated_data["read_only"])
        return Response({"token": key})


