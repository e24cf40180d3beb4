"""Routes of the evaluation API (included by the root urls under /api/v1/)."""
from . import views

routes = [
    ("feedback", views.FeedbackViewSet, "feedback"),
]
