"""议事 · 表决: owners' joint decisions (Civil Code art. 278) with a frozen electorate and ballots."""

from django.conf import settings
from django.core import signing
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.scope import ScopedModel, has_perm
from linli.people.models import Household
from linli.places.models import Building, House


class Matter(models.IntegerChoices):
    RULES = 1, _("Rules of procedure of the owners' assembly")
    COVENANT = 2, _("Management covenant")
    COMMITTEE = 3, _("Electing or replacing the owners' committee")
    PROPERTY_COMPANY = 4, _("Hiring or dismissing the property company")
    USE_FUND = 5, _("Using the maintenance fund")
    RAISE_FUND = 6, _("Raising the maintenance fund")
    REBUILD = 7, _("Rebuilding or altering buildings and facilities (e.g. adding a lift)")
    CHANGE_USE = 8, _("Changing the use of common parts or running a business on them")
    OTHER = 9, _("Other major matters of common ownership")


def _compounds_with_buildings_in(grid_ids):

    return Building.objects.filter(grid_id__in=sorted(grid_ids)).values("compound_id")


# Votes and topics belong to a community and often a compound; grid workers see those of the
# compounds that have buildings in their grid.
COMPOUND_SCOPE = {
    "subdistrict": "subdistrict_id",
    "community": "community_id",
    "compound": "compound_id",
    "grid": lambda ids: models.Q(compound_id__in=_compounds_with_buildings_in(ids)),
}


def _communities_of_households(household_ids):

    return Household.objects.filter(id__in=sorted(household_ids)).values("community_id")


def _compounds_of_households(household_ids):

    return Household.objects.filter(id__in=sorted(household_ids)).values("compound_id")


class OwnerVote(ScopedModel):
    """业主共同决定: one matter put to the owners of a compound, some of its buildings, or one unit.
    The electorate is frozen when the vote opens, so later ledger changes never move the count."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", pgettext_lazy("vote", "Closed")  # 表决已截止, not a request's 已结案

    title = models.CharField(_("title"), max_length=120)
    matter = models.PositiveSmallIntegerField(_("matter"), choices=Matter.choices)
    compound = models.ForeignKey(
        "places.Compound", models.PROTECT, related_name="owner_votes", verbose_name=_("compound")
    )
    buildings = models.ManyToManyField("places.Building", blank=True, verbose_name=_("only these buildings"))
    unit = models.ForeignKey("places.Unit", models.PROTECT, null=True, blank=True, verbose_name=_("only this unit"))
    # the topic whose 业主表决 step this vote is: opened only 15 days after its notice (R1.6)
    topic = models.ForeignKey(
        "Topic", models.PROTECT, null=True, blank=True, related_name="owner_votes", verbose_name=_("topic")
    )
    community = models.ForeignKey("places.Community", models.PROTECT, related_name="+", editable=False)
    subdistrict = models.ForeignKey("places.Subdistrict", models.PROTECT, related_name="+", editable=False)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    closes_at = models.DateTimeField(_("closes at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # set once, by the job that claimed the "closing soon" reminder (conditional UPDATE: one sender)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=0)  # two people acting at once: the second gets a 409
    # passed the public-text check (people.public_text) when made: only then is it shown on the board;
    # legacy rows were checked by migration 0023 (docs/security.md, "The public board")
    title_checked = models.BooleanField(default=False, editable=False)

    scope_domain = "votes"
    # residents see the votes of their own compound and cast their own ballot online
    scope_paths = COMPOUND_SCOPE | {"household": lambda ids: models.Q(compound_id__in=_compounds_of_households(ids))}

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("owners' vote")
        verbose_name_plural = _("owners' votes")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("deliberation:vote", args=[self.pk])


class Elector(models.Model):
    """One owner in the frozen electorate: all their houses in scope, their total exclusive area."""

    vote = models.ForeignKey(OwnerVote, models.CASCADE, related_name="electors")
    # "p:" + the owners' keys joined by "+" (keyed hashes of ID numbers, "o:<credit code>" of an
    # organisation: co-owners of one house are one key), "developer", or "house:<id>"
    key = models.TextField()
    label = models.CharField(_("owner"), max_length=120)  # masked name and house numbers
    area = models.BigIntegerField(_("area (hundredths of m²)"))
    houses = models.JSONField(default=list)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["vote", "key"], name="uniq_elector")]

    def __str__(self):
        return self.label

    @property
    def area_m2(self):
        return self.area / 100


class Ballot(models.Model):
    """One owner's ballot, cast online or entered by staff from paper (with the paper's reference).
    Corrections are allowed until the vote closes and are audited; the full record is kept (R1.7)."""

    class Choice(models.TextChoices):
        AGREE = "agree", _("Agree")
        DISAGREE = "disagree", _("Disagree")
        ABSTAIN = "abstain", _("Abstain")
        # a paper ballot that cannot be read as one choice: the owner took part, approving nothing
        SPOILED = "spoiled", _("Spoiled")

    vote = models.ForeignKey(OwnerVote, models.CASCADE, related_name="ballots")
    elector = models.OneToOneField(Elector, models.CASCADE, related_name="ballot")
    choice = models.CharField(_("choice"), max_length=8, choices=Choice.choices)
    paper_reference = models.CharField(_("paper ballot reference"), max_length=40, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.elector} · {self.get_choice_display()}"

    def scope_keys(self):
        return self.vote.scope_keys()


class Procedure(models.Model):
    """协商程序: an ordered list of steps a topic must go through, none skipped or reordered.
    Built-in ones (城乡社区协商, 四议两公开, 业主共同决定) are seeded; administrators add others.
    Code finds a built-in one by its `code`, never by its display name; one an administrator added
    has none."""

    COMMUNITY, FOUR_AND_TWO, OWNERS = "community", "four_and_two", "owners"  # the built-in codes

    code = models.SlugField(_("code"), max_length=30, unique=True, null=True, blank=True, editable=False)
    name = models.CharField(_("name"), max_length=60, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")

    def __str__(self):
        return self.name

    @classmethod
    def builtin(cls, code: str) -> "Procedure":
        """A built-in procedure by its code (Procedure.COMMUNITY, …)."""
        return cls.objects.get(code=code)


class StepRule(models.TextChoices):
    """What completing a step requires, beyond a record of it."""

    RECORD = "record", _("A record")
    PUBLICATION = "publication", _("A publication")
    PARTY_MEETING = "party_meeting", _("Party members' meeting: ≥ 2/3 present, at least half of all members approve")
    RESIDENTS_MEETING = (
        "residents_meeting",
        _("Residents' meeting: more than half present, more than half of those present approve"),
    )
    OWNER_VOTE = "owner_vote", _("A passed owners' vote")


class ProcedureStep(models.Model):
    procedure = models.ForeignKey(Procedure, models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(_("name"), max_length=60)
    rule = models.CharField(_("requires"), max_length=20, choices=StepRule.choices, default=StepRule.RECORD)
    # the next step may be taken only this many full days after this one (notice periods: R1.6, R3.2)
    lead_days = models.PositiveSmallIntegerField(_("days before the next step"), default=0)
    # R3.3: for a major matter (大事) this step needs a closed hearing or consultation meeting first
    needs_hearing_if_major = models.BooleanField(_("major matters need a hearing first"), default=False)

    class Meta:
        ordering = ["procedure_id", "order"]
        constraints = [models.UniqueConstraint(fields=["procedure", "order"], name="uniq_step_order")]

    def __str__(self):
        return f"{self.order}. {self.name}"


class Topic(ScopedModel):
    """议题: a matter brought to the table, from staff, residents or a cluster of requests, taken
    through a procedure step by step."""

    class Scale(models.TextChoices):
        MAJOR = "major", _("Major matter (大事)")
        MINOR = "minor", _("Minor matter (小事)")
        URGENT = "urgent", _("Urgent matter (急事)")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("In the topic catalog")
        DECLINED = "declined", _("Declined")
        DONE = "done", _("Completed")

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    community = models.ForeignKey(
        "places.Community", models.PROTECT, related_name="topics", verbose_name=_("community")
    )
    subdistrict = models.ForeignKey("places.Subdistrict", models.PROTECT, related_name="+", editable=False)
    compound = models.ForeignKey(
        "places.Compound", models.PROTECT, null=True, blank=True, related_name="topics", verbose_name=_("compound")
    )
    scale = models.CharField(_("scale"), max_length=8, choices=Scale.choices, default=Scale.MINOR)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    # 实施结果公开: the outcome text published on the community board (no personal data)
    outcome = models.TextField(_("outcome published"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    procedure = models.ForeignKey(Procedure, models.PROTECT, related_name="topics", verbose_name=_("procedure"))
    # the art. 278 matter its owners' vote decides (a procedure with an owners' vote step needs one)
    matter = models.PositiveSmallIntegerField(
        _("matter of the owners' vote"), choices=Matter.choices, null=True, blank=True
    )
    cases = models.ManyToManyField("cases.Case", blank=True, related_name="topics", verbose_name=_("source requests"))
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=0)  # two people acting at once: the second gets a 409

    scope_domain = "votes"
    # residents see (and may support) the topics of their own community
    scope_paths = COMPOUND_SCOPE | {"household": lambda ids: models.Q(community_id__in=_communities_of_households(ids))}

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("deliberation:topic", args=[self.pk])


def sees_decline_reason(topic, user) -> bool:
    """The reason a topic was declined is written for its proposer (and kept by staff): a resident
    who did not propose it reads only that it was declined, as the reason may name a neighbour."""
    return not reads_as_resident(user) or topic.proposer_id == user.pk


def reads_as_resident(user) -> bool:
    """A resident (who manages no topics) reads a topic's public summary and the number of its
    source requests — never another resident's words (requests, evaluations) nor the staff's
    step records."""

    return user.has_role("resident") and not has_perm(user, "votes.manage")


class StepRecord(models.Model):
    """A completed step of a topic, with what it required (attendance, approvals, the vote)."""

    topic = models.ForeignKey(Topic, models.CASCADE, related_name="records")
    step = models.ForeignKey(ProcedureStep, models.PROTECT, related_name="+")
    note = models.TextField(_("record"), max_length=4000)
    eligible = models.PositiveIntegerField(_("members or residents due to attend"), null=True, blank=True)
    present = models.PositiveIntegerField(_("present"), null=True, blank=True)
    approving = models.PositiveIntegerField(_("approving"), null=True, blank=True)
    owner_vote = models.ForeignKey(OwnerVote, models.PROTECT, null=True, blank=True, verbose_name=_("owners' vote"))
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    completed_at = models.DateTimeField(default=timezone.now)
    # a publication step's record is its text on the community board (checked for personal data)
    public = models.BooleanField(_("on the community board"), default=False)

    class Meta:
        ordering = ["step__order"]
        constraints = [models.UniqueConstraint(fields=["topic", "step"], name="uniq_step_record")]

    def __str__(self):
        return f"{self.topic_id} {self.step}"


class Meeting(ScopedModel):
    """议事会: a meeting of the parties concerned, with its agenda (topics), invitations,
    sign-in, the opinions of each speaker and the minutes (会议纪要)."""

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("Consultation meeting (协商议事会)")
        PARTY_JOINT = "party_joint", _("Party-building joint meeting (党建联席会议)")
        PROPERTY_JOINT = "property_joint", _("Property joint meeting (物业联席会议)")
        LISTENING = "listening", _("Residents' listening meeting (民情沟通会)")
        HEARING = "hearing", _("Hearing (听证会)")
        ON_SITE = "on_site", _("On-site consultation (现场协商调解会)")
        FORUM = "forum", _("Forum (座谈会)")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Convened")
        NOTICED = "noticed", _("Notice published")
        CLOSED = "closed", pgettext_lazy("meeting", "Closed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CONSULTATION)
    title = models.CharField(_("title"), max_length=120)
    community = models.ForeignKey(
        "places.Community", models.PROTECT, related_name="meetings", verbose_name=_("community")
    )
    subdistrict = models.ForeignKey("places.Subdistrict", models.PROTECT, related_name="+", editable=False)
    compound = models.ForeignKey(
        "places.Compound", models.PROTECT, null=True, blank=True, related_name="meetings", verbose_name=_("compound")
    )
    starts_at = models.DateTimeField(_("starts at"))
    location = models.CharField(_("location"), max_length=120)
    topics = models.ManyToManyField(Topic, blank=True, related_name="meetings", verbose_name=_("agenda"))
    notice_published_at = models.DateTimeField(_("notice published"), null=True, blank=True)
    minutes = models.TextField(_("conclusions"), blank=True)
    # 主持人 and 记录人 of the minutes, as they sign them (names, not accounts: often a resident)
    chair = models.CharField(_("chaired by"), max_length=50, blank=True)
    recorder = models.CharField(_("recorded by"), max_length=50, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    version = models.PositiveIntegerField(default=0)  # two people acting at once: the second gets a 409

    scope_domain = "votes"
    scope_paths = COMPOUND_SCOPE

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("deliberation:meeting", args=[self.pk])


class Invitation(models.Model):
    """An invited participant: a named person for a party (organisation or role), signed in or not."""

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="invitations")
    name = models.CharField(_("name"), max_length=50)
    party = models.CharField(_("party"), max_length=80, help_text=_("e.g. 业委会, 物业公司, 居民代表, 网格警"))
    organisation = models.ForeignKey(
        "orgs.Organisation", models.SET_NULL, null=True, blank=True, verbose_name=_("organisation")
    )
    signed_in_at = models.DateTimeField(_("signed in"), null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.party} {self.name}"

    @property
    def token(self):
        """The participant's personal link to confirm attendance on a phone (signed, no login)."""

        return signing.dumps(self.pk, salt="linli.meeting-confirm")

    @classmethod
    def from_token(cls, token):

        try:
            return cls.objects.select_related("meeting").get(pk=signing.loads(token, salt="linli.meeting-confirm"))
        except (signing.BadSignature, cls.DoesNotExist):
            return None

    def get_confirm_url(self):
        return reverse("meeting_confirm", args=[self.token])


class Opinion(models.Model):
    """发言记录: what one speaker said on one topic, in speaking order — in turn, freely, or written
    on an opinion form (西湖社区: "依次发言、自由发言、填写意见征求表")."""

    class Mode(models.TextChoices):
        IN_TURN = "in_turn", _("Speaking in turn")
        FREE = "free", _("Free discussion")
        FORM = "form", _("Opinion form")

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="opinions")
    mode = models.CharField(_("format"), max_length=8, choices=Mode.choices, default=Mode.IN_TURN)
    topic = models.ForeignKey(Topic, models.CASCADE, null=True, blank=True, related_name="opinions")
    speaker = models.ForeignKey(Invitation, models.PROTECT, related_name="opinions", verbose_name=_("speaker"))
    text = models.TextField(_("opinion"), max_length=4000)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return f"{self.speaker}: {self.text[:20]}"


class ActionItem(models.Model):
    """决议事项: one row of a resolution — 事项, 责任单位, 责任人, 措施, 时限 — tracked as a work order
    (the case: its handling organisation is the 责任单位, its description the 措施, its deadline the
    时限). Recorded on the topic, and on the meeting that decided it when there was one (its minutes
    print the table). The topic completes only once every item's work order is verified."""

    topic = models.ForeignKey(Topic, models.CASCADE, related_name="items")
    meeting = models.ForeignKey(
        Meeting, models.PROTECT, null=True, blank=True, related_name="items", verbose_name=_("decided at")
    )
    matter = models.CharField(_("item"), max_length=120)
    responsible = models.CharField(_("person responsible"), max_length=50)
    case = models.OneToOneField("cases.Case", models.PROTECT, related_name="action_item", verbose_name=_("work order"))
    created_at = models.DateTimeField(default=timezone.now)
    # passed the public-text check (people.public_text) when made: only then is it shown on the board;
    # legacy rows were checked by migration 0023 (docs/security.md, "The public board")
    public_checked = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")

    def __str__(self):
        return self.matter


class ConsentCampaign(ScopedModel):
    """征求意见 / 同意率: the houses of a compound (or of some of its buildings) are asked to consent, e.g. to
    an old-compound renovation that proceeds at ≥ 80 % ("最终达到80%改造同意率"). Threshold configurable.
    A 民生实事 project's 问需 campaign (projects.Project.campaign) also asks each house for its share
    (`share_fen`, 艺术巷's 缴费): agree or pay. A house is counted once, whoever lives in it."""

    title = models.CharField(_("title"), max_length=120)
    compound = models.ForeignKey(
        "places.Compound", models.PROTECT, related_name="consent_campaigns", verbose_name=_("compound")
    )
    buildings = models.ManyToManyField("places.Building", blank=True, verbose_name=_("only these buildings"))
    community = models.ForeignKey("places.Community", models.PROTECT, related_name="+", editable=False)
    subdistrict = models.ForeignKey("places.Subdistrict", models.PROTECT, related_name="+", editable=False)
    threshold_percent = models.PositiveSmallIntegerField(_("threshold (%)"), default=80)
    # what each house is asked to pay (fen), or None: consent only
    share_fen = models.PositiveBigIntegerField(_("share per house (fen)"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # passed the public-text check (people.public_text) when made: only then is it shown on the board;
    # legacy rows were checked by migration 0023 (docs/security.md, "The public board")
    title_checked = models.BooleanField(default=False, editable=False)

    scope_domain = "votes"
    scope_paths = COMPOUND_SCOPE

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("consent campaign")
        verbose_name_plural = _("consent campaigns")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("deliberation:consent", args=[self.pk])

    def houses(self):
        """The houses concerned: the compound's, or those of the campaign's buildings."""
        qs = House.objects.filter(compound=self.compound_id)
        return qs.filter(building__in=self.buildings.all()) if self.pk and self.buildings.exists() else qs

    def progress(self):
        """(consenting, houses, reached) — see `reached`."""
        f = self.figures()
        return f["agreed"], f["houses"], f["reached"]

    def figures(self):
        """The campaign's counts in two queries: houses concerned, agreed, refused, unanswered, houses
        that paid and the total paid (fen), the rate (per cent, one decimal, rounded down: it never
        shows 80.0 for 79.96) and whether the threshold is reached, with how many it needs."""
        total = self.houses().count()
        got = self.consents.filter(house__in=self.houses()).aggregate(
            agreed=models.Count("id", filter=models.Q(consent=True)),
            refused=models.Count("id", filter=models.Q(consent=False)),
            paying=models.Count("id", filter=models.Q(paid_fen__gt=0)),
            paid=models.Sum("paid_fen"),
        )
        yes = got["agreed"]
        return {
            "houses": total,
            "agreed": yes,
            "refused": got["refused"],
            "unanswered": total - yes - got["refused"],
            "paying": got["paying"],
            "paid_fen": got["paid"] or 0,
            "rate": (yes * 1000 // total) / 10 if total else 0.0,
            "threshold": self.threshold_percent,
            "needed": needed(total, self.threshold_percent),
            "reached": reached(yes, total, self.threshold_percent),
            "share_fen": self.share_fen,
        }


def reached(consenting: int, houses: int, threshold_percent: int) -> bool:
    """The threshold is reached iff consenting × 100 ≥ threshold × houses, on integers: exactly the
    threshold passes (80 of 100), one house below does not; 80 % of 101 houses needs 81 (80.8 up)."""
    return houses > 0 and consenting * 100 >= threshold_percent * houses


def needed(houses: int, threshold_percent: int) -> int:
    """The fewest consenting houses that reach the threshold (rounded up)."""
    return -(-threshold_percent * houses // 100)


class Consent(models.Model):
    """One house's answer (agrees or refuses; no row: no answer yet), recorded by staff from the
    door-to-door form, and the share it paid (fen) with the day. Paid only by a house that agrees."""

    campaign = models.ForeignKey(ConsentCampaign, models.CASCADE, related_name="consents")
    house = models.ForeignKey("places.House", models.CASCADE, related_name="+")
    consent = models.BooleanField(_("consents"))
    paid_fen = models.PositiveBigIntegerField(_("share paid (fen)"), default=0)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "house"], name="uniq_consent_house"),
            # no half-saved payment: an amount has its day, a day its amount, and only an agreeing house pays
            models.CheckConstraint(
                condition=models.Q(paid_fen=0, paid_on=None)
                | models.Q(paid_fen__gt=0, paid_on__isnull=False, consent=True),
                name="consent_paid_with_day",
            ),
        ]

    def __str__(self):
        return f"{self.house_id}: {self.consent}"


class Evaluation(models.Model):
    """评事: a participant's or an affected resident's judgement of a completed topic's outcome
    (score 1–5 and a comment), or a staff call-back result."""

    topic = models.ForeignKey(Topic, models.CASCADE, related_name="evaluations")
    score = models.PositiveSmallIntegerField(_("score"), choices=[(i, str(i)) for i in range(1, 6)])
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    by_callback = models.BooleanField(_("telephone call-back"), default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.topic_id}: {self.score}"


class CoSignature(models.Model):
    """附议: a resident supporting a topic another resident proposed."""

    topic = models.ForeignKey(Topic, models.CASCADE, related_name="cosignatures")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="uniq_cosignature")]

    def __str__(self):
        return f"{self.topic_id} + {self.user_id}"


class HandVote(models.Model):
    """举手表决 among those present at a meeting: the rule is chosen per question; the quorum is
    more than half of the invited participants signed in."""

    class Rule(models.TextChoices):
        MAJORITY = "majority", _("More than half of those present")
        TWO_THIRDS = "two_thirds", _("Two thirds of those present or more")
        UNANIMITY = "unanimity", _("All of those present")

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="hand_votes")
    question = models.CharField(_("question"), max_length=200)
    rule = models.CharField(_("rule"), max_length=12, choices=Rule.choices, default=Rule.MAJORITY)
    invited = models.PositiveIntegerField()
    present = models.PositiveIntegerField()
    yes = models.PositiveIntegerField(_("in favour"))
    no = models.PositiveIntegerField(_("against"))
    abstain = models.PositiveIntegerField(_("abstaining"))
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return self.question

    @property
    def quorate(self):
        return 2 * self.present > self.invited

    @property
    def passed(self):
        if not self.quorate:
            return False
        return {
            self.Rule.MAJORITY: 2 * self.yes > self.present,
            self.Rule.TWO_THIRDS: 3 * self.yes >= 2 * self.present,
            self.Rule.UNANIMITY: self.present > 0 and self.yes == self.present,
        }[self.rule]
