"""`{{ record|history_url }}`: the page of a record's history (portal.history), for the rows listed on
their parent's page (a program's courses, a training base's yearly use …)."""
from django import template

from portal import history

register = template.Library()


@register.filter
def history_url(record) -> str:
    return history.history_url(record)
