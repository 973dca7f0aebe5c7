"""The RSS feed of a community's board (Django's syndication framework): its latest settled
requests, read as on the board — category, compound, the public summaries, rating and dates."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from linli.places.models import Community

from . import content

ITEMS = 30


class BoardFeed(Feed):
    def get_object(self, request, community):
        return get_object_or_404(Community, pk=community)

    def title(self, obj):
        return _("%(community)s: public board") % {"community": obj}

    def link(self, obj):
        return reverse("board:community", args=[obj.pk])

    def description(self, obj):
        return _("What residents asked for and what was done, community by community.")

    def items(self, obj):
        return content.cases(obj)[:ITEMS]

    def item_title(self, item):
        return " · ".join(str(x) for x in (item.category, item.compound.name if item.compound else "") if x)

    def item_description(self, item):
        parts = [
            _("Problem: %(text)s") % {"text": item.public_summary} if item.public_summary else "",
            _("What was done: %(text)s") % {"text": item.public_measures} if item.public_measures else "",
            item.get_rating_display() if item.rating else "",
        ]
        return "\n".join(p for p in parts if p) or str(item.category)

    def item_link(self, item):
        return f"{reverse('board:community', args=[item.community_id])}#case-{item.pk}"

    def item_pubdate(self, item):
        return item.handled_at or item.created_at


class BoardFeedView(View):
    """The feed as a class-based view, like every other page (the hostile-input test reads views'
    classes)."""

    def get(self, request, community):
        return BoardFeed()(request, community=community)
