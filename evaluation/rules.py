"""Who sees and changes the evaluation models (DESIGN.md section 2), and which of them the audit trail
keeps (portal.audit); registered in the AppConfig.ready."""
from portal.audit import track
from portal.choices import Role
from portal.scoping import Rule, register

from .models import (
    EvaluationRun,
    Feedback,
    FeedbackScore,
    IndicatorValue,
    ProgramRecommendation,
    TargetOverride,
    Warning,
)


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

    # Indicator values and warnings: a college reads its school's rows and its programs' rows (they
    # carry the school), a liaison the rows of the consortia its enterprise belongs to, a reviewer
    # every row whose subject (school, program, consortium, region, region × sector) lies in their
    # region's subtree. Acknowledging a warning is an action (evaluation.services.warning_acknowledge).
    subject_rule = Rule(
        school=("school",),
        enterprise=("consortium__members__enterprise",),
        region=("school__region", "consortium__region", "region"),
    )
    register(IndicatorValue, subject_rule)
    register(Warning, subject_rule)
    register(ProgramRecommendation, Rule(school=("school",), region=("school__region",)))
    # Runs cover the whole country; every signed-in user may follow them. Who may start one is
    # checked by the API (reviewers and platform admins).
    register(EvaluationRun, Rule(public=True, national=True))
    # Targets are reference data: read by all, set by platform admins.
    register(TargetOverride, Rule(public=True, located=("region",)))


def register_audit() -> None:
    # Values and recommendations are derived, rewritten in bulk by every run: their runs are the record.
    # A run's status, publication and outcome are recorded; not every tick of its progress.
    track(EvaluationRun, exclude=("progress", "step"))
    # Warnings are opened and resolved in bulk by the runs (counted on the run's entry); their
    # acknowledgements are recorded.
    track(Warning, exclude=("subject_key", "last_seen_run"))
    track(TargetOverride)
    track(Feedback)
    track(FeedbackScore)
