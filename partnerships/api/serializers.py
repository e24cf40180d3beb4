"""Serializers of the cooperation API: public field names as DESIGN.md section 4, relations by id,
regions and sectors by code, the names integrators need read-only beside the ids."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from django.urls import reverse
from rest_framework import serializers

from portal.api.serializers import (
    ChoiceSetSerializerField,
    CodeRelatedField,
    OwnOrganisationDefaultMixin,
    PortalModelSerializer,
)
from portal.documents import validate_document
from portal.models import Region, Sector

from ..choices import OtherBodyKind, PartnershipKind
from ..models import (
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

OWN_SCHOOL_HELP = "Defaults to the caller's own school (college administrators)."
OWN_ENTERPRISE_HELP = "Defaults to the caller's own enterprise (enterprise liaisons)."


def _name(field: str, **kwargs) -> serializers.CharField:
    """A read-only name of a related object (select_related on the viewset's queryset)."""
    return serializers.CharField(source=field, read_only=True, **kwargs)


# --- consortia ------------------------------------------------------------------------------------
def member_name(member: ConsortiumMember) -> str:
    if member.school_id:
        return member.school.name
    return member.enterprise.name if member.enterprise_id else member.other_name


class ConsortiumMemberBriefSerializer(serializers.ModelSerializer):
    """A member as listed inside its consortium."""

    name = serializers.SerializerMethodField()
    other_kind = serializers.ChoiceField(choices=OtherBodyKind.choices, allow_blank=True, read_only=True)

    class Meta:
        model = ConsortiumMember
        fields = ["id", "school", "enterprise", "other_name", "other_kind", "role", "name"]
        read_only_fields = fields

    def get_name(self, member: ConsortiumMember) -> str:
        return member_name(member)


class ConsortiumSerializer(PortalModelSerializer):
    region = CodeRelatedField(queryset=Region.objects.all())
    region_name = _name("region.name")
    sector = CodeRelatedField(queryset=Sector.objects.all(), allow_null=True, required=False)
    sector_name = _name("sector.name", allow_null=True)
    members = ConsortiumMemberBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Consortium
        fields = ["id", "name", "kind", "region", "region_name", "sector", "sector_name", "established_on",
                  "description", "members", "created_at", "updated_at"]


class ConsortiumMemberSerializer(PortalModelSerializer):
    consortium_name = _name("consortium.name")
    name = serializers.SerializerMethodField()

    class Meta:
        model = ConsortiumMember
        fields = ["id", "consortium", "consortium_name", "school", "enterprise", "other_name", "other_kind", "role",
                  "joined_on", "name"]

    def get_name(self, member: ConsortiumMember) -> str:
        return member_name(member)


# --- partnerships and their ledger ----------------------------------------------------------------
class PartnershipSerializer(OwnOrganisationDefaultMixin, PortalModelSerializer):
    """`status` changes only through the accept, decline, suspend and end actions."""

    own_school_field = "school"

    kinds = ChoiceSetSerializerField(choices=PartnershipKind.choices,
                                     help_text="One or more kinds of cooperation.")
    school_name = _name("school.name")
    enterprise_name = _name("enterprise.name")
    program_names = serializers.SerializerMethodField(help_text="Names of `programs`, in the same order.")
    agreement = serializers.FileField(
        required=False, allow_null=True, use_url=False, validators=[validate_document],
        help_text="The signed agreement (upload as multipart/form-data): a PDF, PNG, JPEG, GIF or WebP image, or an "
                  "office document (.docx, .xlsx, .pptx, .odt, .ods, .odp, .doc, .xls, .ppt) without macros, of at "
                  "most DOCUMENT_MAX_BYTES (10 MB unless configured). The content must be of the kind the name's "
                  "extension says.",
    )
    agreement_url = serializers.SerializerMethodField(
        help_text="Where those who may see the partnership download the agreement; null without one."
    )

    class Meta:
        model = Partnership
        fields = ["id", "school", "school_name", "enterprise", "enterprise_name", "title", "kinds", "programs",
                  "program_names", "status", "start_date", "end_date", "agreement", "agreement_url", "description",
                  "proposed_by",
                  "responded_at", "created_at", "updated_at"]
        read_only_fields = ["status", "proposed_by", "responded_at"]
        extra_kwargs = {"school": {"required": False, "help_text": OWN_SCHOOL_HELP}}

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_agreement_url(self, partnership: Partnership) -> str | None:
        if not partnership.agreement:
            return None
        url = reverse("partnership-agreement", args=[partnership.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_program_names(self, partnership: Partnership) -> list[str]:
        return [program.name for program in partnership.programs.all()]


class ContributionSerializer(PortalModelSerializer):
    partnership_title = _name("partnership.title")
    school = serializers.IntegerField(source="partnership.school_id", read_only=True)
    school_name = _name("partnership.school.name")
    enterprise = serializers.IntegerField(source="partnership.enterprise_id", read_only=True)
    enterprise_name = _name("partnership.enterprise.name")

    class Meta:
        model = Contribution
        fields = ["id", "partnership", "partnership_title", "school", "school_name", "enterprise", "enterprise_name",
                  "party", "kind", "value", "date", "note", "created_at", "updated_at"]


# --- projects and talent demands ------------------------------------------------------------------
class EnterpriseProjectSerializer(OwnOrganisationDefaultMixin, PortalModelSerializer):
    own_enterprise_field = "enterprise"

    enterprise_name = _name("enterprise.name")
    sector = CodeRelatedField(queryset=Sector.objects.all())
    sector_name = _name("sector.name")

    class Meta:
        model = EnterpriseProject
        fields = ["id", "enterprise", "enterprise_name", "title", "summary", "skills", "sector", "sector_name",
                  "capacity", "status", "start_date", "end_date", "created_at", "updated_at"]
        extra_kwargs = {"enterprise": {"required": False, "help_text": OWN_ENTERPRISE_HELP}}


class ProjectAdoptionSerializer(PortalModelSerializer):
    project_title = _name("project.title")
    enterprise = serializers.IntegerField(source="project.enterprise_id", read_only=True)
    enterprise_name = _name("project.enterprise.name")
    course_name = _name("course.name")
    program = serializers.IntegerField(source="course.program_id", read_only=True)
    program_name = _name("course.program.name")
    school = serializers.IntegerField(source="course.program.school_id", read_only=True)
    school_name = _name("course.program.school.name")

    class Meta:
        model = ProjectAdoption
        fields = ["id", "project", "project_title", "enterprise", "enterprise_name", "course", "course_name",
                  "program", "program_name", "school", "school_name", "year", "students", "outcome", "created_at",
                  "updated_at"]


class TalentDemandSerializer(OwnOrganisationDefaultMixin, PortalModelSerializer):
    own_enterprise_field = "enterprise"

    enterprise_name = _name("enterprise.name")
    sector = CodeRelatedField(queryset=Sector.objects.all())
    sector_name = _name("sector.name")
    region = CodeRelatedField(queryset=Region.objects.all())
    region_name = _name("region.name")

    class Meta:
        model = TalentDemand
        fields = ["id", "enterprise", "enterprise_name", "position", "sector", "sector_name", "region", "region_name",
                  "headcount", "skills", "year", "created_at", "updated_at"]
        extra_kwargs = {"enterprise": {"required": False, "help_text": OWN_ENTERPRISE_HELP}}


# --- training bases -------------------------------------------------------------------------------
class TrainingBaseSerializer(OwnOrganisationDefaultMixin, PortalModelSerializer):
    """Owned by exactly one of `school`, `enterprise`, `consortium`."""

    own_school_field = "school"
    own_enterprise_field = "enterprise"

    school_name = _name("school.name", allow_null=True)
    enterprise_name = _name("enterprise.name", allow_null=True)
    consortium_name = _name("consortium.name", allow_null=True)

    class Meta:
        model = TrainingBase
        fields = ["id", "name", "school", "school_name", "enterprise", "enterprise_name", "consortium",
                  "consortium_name", "co_built", "on_campus", "open_to_public", "equipment_value",
                  "enterprise_equipment_value", "capacity_hours", "created_at", "updated_at"]
        extra_kwargs = {
            "school": {"help_text": "Owner, if a school. " + OWN_SCHOOL_HELP + " when no owner is named."},
            "enterprise": {"help_text": "Owner, if an enterprise. " + OWN_ENTERPRISE_HELP + " when no owner is named."},
            "consortium": {"help_text": "Owner, if a consortium."},
        }

    def own_organisation_defaults(self, attrs: dict, user) -> None:
        if not any(attrs.get(owner) for owner in ("school", "enterprise", "consortium")):
            super().own_organisation_defaults(attrs, user)


class TrainingBaseUsageSerializer(PortalModelSerializer):
    base_name = _name("base.name")

    class Meta:
        model = TrainingBaseUsage
        fields = ["id", "base", "base_name", "year", "internal_hours", "external_hours", "created_at", "updated_at"]


# --- technical services and patents ---------------------------------------------------------------
class TechnicalServiceSerializer(OwnOrganisationDefaultMixin, PortalModelSerializer):
    own_school_field = "school"

    school_name = _name("school.name")
    enterprise_name = _name("enterprise.name", allow_null=True)

    class Meta:
        model = TechnicalService
        fields = ["id", "school", "school_name", "enterprise", "enterprise_name", "title", "year", "amount",
                  "created_at", "updated_at"]
        extra_kwargs = {"school": {"required": False, "help_text": OWN_SCHOOL_HELP}}


class PatentSerializer(OwnOrganisationDefaultMixin, PortalModelSerializer):
    own_school_field = "school"

    school_name = _name("school.name")
    licensee_name = _name("licensee.name", allow_null=True)

    class Meta:
        model = Patent
        fields = ["id", "school", "school_name", "number", "title", "granted_on", "transferred_on", "licensee",
                  "licensee_name", "created_at", "updated_at"]
        extra_kwargs = {"school": {"required": False, "help_text": OWN_SCHOOL_HELP}}
