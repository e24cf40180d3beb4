"""Who sees and changes the evaluation models (DESIGN.md section 2); registered in the AppConfig.ready."""
from portal.choices import Role
from portal.scoping import Rule, register

from .models import Feedback, FeedbackScore


def register_rules() -> None:
    # Feedback is read by the enterprise that gave it and by the school it is about (through the
    # partnership or the program), and in the school's region. Liaisons give their enterprise's
    # feedback; changing or deleting given feedback, and third-party evaluators' feedback, are for
    # platform admins (evaluation.api.views.FeedbackViewSet).
    register(
        Feedback,
        Rule(
            school=("partnership__school", "program__school"),
            enterprise=("enterprise",),
            region=("partnership__school__region", "program__school__region"),
            change={Role.ENTERPRISE_LIAISON: ("enterprise", {})},
        ),
    )
    register(
        FeedbackScore,
        Rule(
            school=("feedback__partnership__school", "feedback__program__school"),
            enterprise=("feedback__enterprise",),
            region=("feedback__partnership__school__region", "feedback__program__school__region"),
        ),
    )
