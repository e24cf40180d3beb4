"""Routes of the partnerships API (included by the root urls under /api/v1/)."""
from . import views

routes = [
    ("consortia", views.ConsortiumViewSet, "consortium"),
    ("consortium-members", views.ConsortiumMemberViewSet, "consortium-member"),
    ("partnerships", views.PartnershipViewSet, "partnership"),
    ("contributions", views.ContributionViewSet, "contribution"),
    ("projects", views.EnterpriseProjectViewSet, "project"),
    ("project-adoptions", views.ProjectAdoptionViewSet, "project-adoption"),
    ("talent-demands", views.TalentDemandViewSet, "talent-demand"),
    ("training-bases", views.TrainingBaseViewSet, "training-base"),
    ("training-base-usage", views.TrainingBaseUsageViewSet, "training-base-usage"),
    ("technical-services", views.TechnicalServiceViewSet, "technical-service"),
    ("patents", views.PatentViewSet, "patent"),
]
