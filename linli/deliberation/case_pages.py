"""What deliberation adds to a request's page (cases.extensions): the topic it was taken into,
its state and its timeline as the reader may see it (procedures.readers_timeline)."""

from linli.cases import extensions

from . import procedures
from .models import ActionItem, Topic


def topics_panel(request, case):
    """The topics the request was taken into, or, for an action item, the topic whose resolution it
    carries out, with the item's row (事项, 责任人, the meeting that decided it)."""
    item = ActionItem.objects.filter(case=case).select_related("topic__community", "meeting").first()
    topics = [item.topic] if item else list(case.topics.select_related("community").order_by("created_at"))
    if not topics:
        return None
    readable = set(
        Topic.objects.restrict(request.user).filter(pk__in=[t.pk for t in topics]).values_list("pk", flat=True)
    )
    return {
        "case": case,
        "item": item,
        "topics": [
            (t, t.pk in readable, procedures.readers_timeline(t, request.user, readable=t.pk in readable))
            for t in topics
        ],
    }


def register():
    extensions.add_panel("deliberation/_case_topics.html", topics_panel)
