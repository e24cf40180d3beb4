"""Evaluation's sections on the pages of lower apps: `{% load evaluation_pages %}` then
`{% partnership_feedback partnership %}` (the enterprise's feedback on a partnership) or
`{% program_feedback program %}` (feedback on a program's graduates). The templates of those apps
load this library; their Python code does not import evaluation.

Each tag reads the rows the signed-in user may see (portal.scoping.restrict) in a fixed number of
queries: two for the feedback with its scores, one more on a program page for a liaison (whether
their enterprise is a partner of the program's school)."""
from __future__ import annotations

from django import template
from django.urls import reverse

from ..models import Feedback
from ..pages import is_partner_of_program_school, may_give_partnership_feedback, visible_feedback

register = template.Library()


@register.inclusion_tag("evaluation/partnership_feedback.html", takes_context=True)
def partnership_feedback(context, partnership) -> dict:
    user = context["request"].user
    may_give = may_give_partnership_feedback(user, partnership)
    return {
        "feedback_list": visible_feedback(Feedback.objects.filter(partnership=partnership), user),
        "add_url": reverse("evaluation:partnership-feedback-add", args=[partnership.pk]) if may_give else None,
    }


@register.inclusion_tag("evaluation/program_feedback.html", takes_context=True)
def program_feedback(context, program) -> dict:
    user = context["request"].user
    may_give = is_partner_of_program_school(user, program)
    return {
        "feedback_list": visible_feedback(Feedback.objects.filter(program=program), user),
        "add_url": reverse("evaluation:program-feedback-add", args=[program.pk]) if may_give else None,
    }
