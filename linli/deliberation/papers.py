"""文书 of an owners' vote (业主共同决定), printed or as PDF (core.printing), scoped as the vote's page:
the notice (公告), the paper ballots (表决票, one per elector, for those who manage the vote) and
the result announcement (表决结果公告) with the four figures of Civil Code art. 278 (RULES.md R1).

A ballot carries the elector's label as the vote's page shows it to staff (masked name, house
numbers, area): it is handed to the owner at the door and comes back to be entered, so the full
name adds nothing the owner needs and would put a name on every paper left on a table
(docs/security.md, "Printed papers")."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views import View

from linli.core import printing
from linli.core.views import ScopedMixin

from . import actions, tally
from .models import Ballot, OwnerVote

ELECTORS_PER_PRINT = 100  # as the vote's page: print the ballots page by page


class VotePaperView(ScopedMixin, View):
    model = OwnerVote
    template = ""
    prefix: object = ""
    filename = ""

    def get(self, request, pk):
        vote = get_object_or_404(self.get_queryset().select_related("compound__community", "unit__building"), pk=pk)
        ctx = {
            "vote": vote,
            "number": printing.doc_number(str(self.prefix), vote.created_at, vote.pk),
            "buildings": vote.buildings.all(),
            "supermajority": vote.matter in tally.SUPERMAJORITY_MATTERS,
        } | self.paper_context(vote)
        response = render(request, self.template, ctx)
        if printing.wants_pdf(request):
            return printing.as_pdf(request, response, f"{self.filename}-{pk}")
        return response

    def paper_context(self, vote):
        return {}


class VoteNoticeView(VotePaperView):
    """公告: the matter, the owners asked, how and until when to vote, and what it takes to pass."""

    template = "deliberation/papers/vote_notice.html"
    prefix = _("Vote notice no.")
    filename = "vote-notice"


class VoteResultView(VotePaperView):
    """表决结果公告: the quorum's and the approval's figures, and whether the matter passed."""

    template = "deliberation/papers/vote_result.html"
    prefix = _("Vote result no.")
    filename = "vote-result"

    def paper_context(self, vote):
        return {"result": actions.result(vote)}


class BallotPapersView(VotePaperView):
    """表决票: one paper per elector of the page asked (100 a page, as on the vote's page)."""

    action = "manage"
    template = "deliberation/papers/ballots.html"
    prefix = _("Ballot no.")
    filename = "ballots"

    def paper_context(self, vote):
        page = Paginator(vote.electors.all(), ELECTORS_PER_PRINT).get_page(self.request.GET.get("page"))
        actions.house_names(page.object_list)
        return {"page_obj": page, "choices": [c for c in Ballot.Choice.choices if c[0] != Ballot.Choice.SPOILED]}
