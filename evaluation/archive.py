"""The evaluation app's tables in a college's data archive (portal.archive); registered in the
AppConfig.ready: feedback about the school (on its partnerships or its programs' graduates) and
what the last succeeded runs published for the school and its programs, with their warnings."""
from django.utils.translation import gettext_lazy as _

from portal.archive import ArchiveTable, register

from .models import Feedback, FeedbackScore, IndicatorValue, ProgramRecommendation, Warning

PROGRAM = ("code", "name")


def register_tables() -> None:
    register(
        ArchiveTable("feedback", _("Feedback"), Feedback, ("partnership__school", "program__school"),
                     related={"enterprise": ("name",), "partnership": ("title",), "program": PROGRAM}),
        ArchiveTable("feedback_scores", _("Feedback scores"), FeedbackScore,
                     ("feedback__partnership__school", "feedback__program__school")),
        ArchiveTable("indicator_values", _("Indicator values"), IndicatorValue, ("school",),
                     related={"program": PROGRAM}, queryset=lambda: IndicatorValue.objects.published()),
        ArchiveTable("warnings", _("Warnings"), Warning, ("school",), related={"program": PROGRAM}),
        ArchiveTable("program_recommendations", _("Program recommendations"), ProgramRecommendation, ("school",),
                     related={"program": PROGRAM}, queryset=lambda: ProgramRecommendation.objects.published()),
    )
