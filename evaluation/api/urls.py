"""Routes of the evaluation API (included by the root urls under /api/v1/)."""
from . import views

routes = [
    ("feedback", views.FeedbackViewSet, "feedback"),
    ("indicators", views.IndicatorViewSet, "indicator"),
    ("indicator-values", views.IndicatorValueViewSet, "indicator-value"),
    ("warnings", views.WarningViewSet, "warning"),
    ("program-recommendations", views.ProgramRecommendationViewSet, "program-recommendation"),
    ("evaluation-runs", views.EvaluationRunViewSet, "evaluation-run"),
    ("target-overrides", views.TargetOverrideViewSet, "target-override"),
]
