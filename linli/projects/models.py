"""一书三单 — the three lists of 共驻共建 (docs/projects.md): 需求清单 (Need: what residents need,
by the needs survey's headings), 资源清单 (Resource: what a co-building partner, or the residents'
能人 talent pool, offers) and 项目清单 (Project: needs matched to resources, with an owner, a
schedule, a budget by source and a status). The quarterly 党建联席会议 is a deliberation Meeting
of kind party_joint; the projects it resolves are its action items (deliberation.ActionItem).

Nothing here names a resident: a need says which group needs it ("辖区独居老人"), never who, and
its texts pass the personal-data check when they are written, since a partner's staff read them."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.scope import ScopedModel
from linli.deliberation.models import Meeting
from linli.orgs.models import Kind, Organisation


class Heading(models.TextChoices):
    """The needs survey's 14 headings (馨和苑: "围绕教育培训、党建活动、文体活动、扶贫帮困、医疗卫生、
    志愿服务等 14 项内容摸排居民需求"). The seed names six; the other eight are ours."""

    EDUCATION = "education", _("Education and training (教育培训)")
    PARTY = "party", _("Party activities (党建活动)")
    CULTURE = "culture", _("Culture and sports (文体活动)")
    POVERTY = "poverty", _("Help for families in need (扶贫帮困)")
    HEALTH = "health", _("Medical care and health (医疗卫生)")
    VOLUNTEER = "volunteer", _("Volunteer service (志愿服务)")
    ELDERLY = "elderly", _("Care for the elderly (养老助老)")
    CHILDREN = "children", _("Children and youth (关爱少儿)")
    EMPLOYMENT = "employment", _("Employment and business (就业创业)")
    LEGAL = "legal", _("Legal aid (法律服务)")
    ENVIRONMENT = "environment", _("Environment (环境整治)")
    SAFETY = "safety", _("Safety (平安建设)")
    CONVENIENCE = "convenience", _("Everyday services (便民服务)")
    CIVILITY = "civility", _("Civic culture (文明创建)")


def paired_communities(ids):
    """A partner's staff (granted on their organisation) read the needs of the community it is
    paired with."""
    paired = Organisation.objects.filter(Q(pk__in=sorted(ids)) | Q(party_organisations__pk__in=sorted(ids)))
    return Q(community_id__in=paired.exclude(community=None).values("community_id"))


YEARS = (2000, 2099)  # dates of the lists: a schedule, an availability, a delivery


def check_years(errors, row, *names):
    for name in names:
        day = getattr(row, name)
        if day is not None and not YEARS[0] <= day.year <= YEARS[1]:
            errors[name] = _("Give a date in the years %(first)s to %(last)s.") % {"first": YEARS[0], "last": YEARS[1]}


class Placed(ScopedModel):
    """A row of one community, optionally narrowed to a compound or a grid of it."""

    community = models.ForeignKey("places.Community", models.PROTECT, related_name="+", verbose_name=_("community"))
    compound = models.ForeignKey(
        "places.Compound", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("compound")
    )
    grid = models.ForeignKey(
        "places.Grid", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("grid")
    )
    subdistrict = models.ForeignKey("places.Subdistrict", models.PROTECT, related_name="+", editable=False)

    class Meta:
        abstract = True

    def clean_place(self, errors):
        if self.compound_id and self.community_id and self.compound.community_id != self.community_id:
            errors["compound"] = _("Choose a compound of the community.")
        if self.grid_id and self.community_id and self.grid.community_id != self.community_id:
            errors["grid"] = _("Choose a grid of the community.")

    @property
    def place(self):
        return self.compound or self.grid or self.community

    def save(self, *args, **kwargs):
        self.subdistrict_id = self.community.subdistrict_id
        super().save(*args, **kwargs)


class Need(Placed):
    """需求清单: a need of residents — which group, where, how many people it helps — under one of
    the survey's headings; collected from requests and topics (linked) or entered by staff.
    Open → planned (a project takes it up) → met (the project is delivered), or withdrawn."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        PLANNED = "planned", _("In a project")
        MET = "met", pgettext_lazy("need", "Met")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Source(models.TextChoices):
        REQUEST = "request", _("Residents' requests")
        TOPIC = "topic", _("Deliberation topic")
        SURVEY = "survey", _("Needs survey")
        STAFF = "staff", _("Entered by staff")

    title = models.CharField(_("need"), max_length=100)
    heading = models.CharField(_("heading"), max_length=12, choices=Heading.choices)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    beneficiaries = models.CharField(
        _("who needs it"), max_length=100, help_text=_("A group, never a named resident: e.g. 辖区独居老人.")
    )
    people_count = models.PositiveIntegerField(_("people it helps"), validators=[MinValueValidator(1)])
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.STAFF)
    cases = models.ManyToManyField("cases.Case", blank=True, related_name="needs", verbose_name=_("source requests"))
    topics = models.ManyToManyField(
        "deliberation.Topic", blank=True, related_name="needs", verbose_name=_("source topics")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    version = models.PositiveIntegerField(default=0)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey("accounts.User", models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_domain = "projects"
    scope_paths = {"subdistrict": "subdistrict_id", "community": "community_id", "organisation": paired_communities}

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "state"], name="need_community_state")]
        verbose_name = _("need")
        verbose_name_plural = _("needs")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:need", args=[self.pk])

    def clean(self):
        errors = {}
        self.clean_place(errors)
        if errors:
            raise ValidationError(errors)


class Resource(Placed):
    """资源清单: what a co-building partner offers its paired community — a room (阵地共享), people
    and skills (义诊 doctors, lawyers, teachers), money, goods, vehicles — or what the residents'
    能人 talent pool offers (no partner). Offered → in use (a project uses it) → offered again
    when the project ends, or withdrawn."""

    class State(models.TextChoices):
        OFFERED = "offered", _("Offered")
        IN_USE = "in_use", _("In use")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Kind(models.TextChoices):
        ROOM = "room", _("Rooms and venues (阵地共享)")
        PEOPLE = "people", _("People and skills")
        MONEY = "money", _("Money")
        GOODS = "goods", _("Goods")
        VEHICLE = "vehicle", _("Vehicles")
        TALENT = "talent", _("Residents' talent pool (能人)")

    partner = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("co-building partner"),
        help_text=_("Empty for the residents' talent pool."),
    )
    kind = models.CharField(_("kind of resource"), max_length=8, choices=Kind.choices)
    heading = models.CharField(_("heading"), max_length=12, choices=Heading.choices)
    title = models.CharField(_("resource"), max_length=100)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    unit = models.CharField(
        pgettext_lazy("of a quantity", "unit"), max_length=10, blank=True, help_text=_("e.g. 间, 人, 次, 件, 辆")
    )
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"), null=True, blank=True)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)
    conditions = models.CharField(_("conditions"), max_length=300, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OFFERED)
    version = models.PositiveIntegerField(default=0)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    offered_by = models.ForeignKey("accounts.User", models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_domain = "projects"
    scope_paths = {
        "subdistrict": "subdistrict_id",
        "community": "community_id",
        "organisation": "partner_id",  # a partner's staff: their own
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "state"], name="resource_community_state")]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:resource", args=[self.pk])

    def clean(self):
        errors = {}
        self.clean_place(errors)
        if self.partner_id is not None and self.partner.kind != Kind.PARTNER:
            errors["partner"] = _("Choose a co-building partner.")
        if self.partner_id is None and self.kind != self.Kind.TALENT:
            errors["partner"] = _("Only the residents' talent pool offers without a partner.")
        if self.kind == self.Kind.MONEY and not self.amount_fen:
            errors["amount_fen"] = _("Give the amount offered.")
        check_years(errors, self, "available_from", "available_until")
        if self.available_from and self.available_until and self.available_until < self.available_from:
            errors["available_until"] = _("The availability cannot end before it starts.")
        if errors:
            raise ValidationError(errors)


class Project(Placed):
    """项目清单 (个性化共建清单): needs matched to resources — an owner (organisation and person), a
    schedule, a budget by source (Funding rows) and a status. Resolved at a 党建联席会议 it is one of
    the meeting's action items (deliberation.ActionItem and its work order). Delivering it meets
    its needs and publishes it on the community's board (晒事), crediting the partner.

    Issue 15's 民生实事 projects are meant to be this model with more steps (a `programme` kind and
    the lifecycle's extra moves), not a second table: docs/projects.md."""

    class State(models.TextChoices):
        # 民生实事 only: 问需·申报 (applied for) → 立项 (approved) → … → 验收 (accepted)
        PROPOSED = "proposed", _("Applied for (问需·申报)")
        APPROVED = "approved", _("Approved (立项)")
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        ACCEPTED = "accepted", _("Accepted (验收)")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    class Programme(models.TextChoices):
        COBUILDING = "cobuilding", _("Co-building project (共建项目)")
        LIVELIHOOD = "livelihood", _("Livelihood project (民生实事)")

    programme = models.CharField(_("programme"), max_length=10, choices=Programme.choices, default=Programme.COBUILDING)
    title = models.CharField(_("project"), max_length=100)
    heading = models.CharField(_("heading"), max_length=12, choices=Heading.choices)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    needs = models.ManyToManyField(Need, blank=True, related_name="projects", verbose_name=_("needs served"))
    resources = models.ManyToManyField(Resource, blank=True, related_name="projects", verbose_name=_("resources used"))
    partner = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_projects",
        verbose_name=_("partner credited"),
    )
    owner_org = models.ForeignKey(
        Organisation, models.PROTECT, related_name="owned_projects", verbose_name=_("responsible organisation")
    )
    owner_name = models.CharField(_("person responsible"), max_length=50)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("deadline"))
    meeting = models.ForeignKey(
        "deliberation.Meeting",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("resolved at"),
    )
    action_item = models.OneToOneField(
        "deliberation.ActionItem",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="project",
        verbose_name=_("action item"),
        editable=False,
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PLANNED)
    version = models.PositiveIntegerField(default=0)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    result = models.TextField(_("result published"), max_length=1000, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # passed the personal-data check (people.public_text) when delivered: only then on the board
    public_checked = models.BooleanField(default=False, editable=False)
    # 民生实事: the 四议两公开 topic through which its 为民服务专项资金 was applied for (立项), the design
    # consultation (问计), the contractor (招标), the works, the acceptance (验收) and the evaluation (问效)
    application = models.ForeignKey(
        "deliberation.Topic",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="livelihood_projects",
        verbose_name=_("application (四议两公开)"),
    )
    consultation = models.ForeignKey(
        "deliberation.Meeting",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="consulted_projects",
        verbose_name=_("design consultation (问计)"),
    )
    # 问需: the consent campaign of the houses concerned (agree or pay, 艺术巷's 80 %); while it has not
    # reached its threshold the project is not approved, and the shares paid are its 居民自筹 budget row
    campaign = models.OneToOneField(
        "deliberation.ConsentCampaign",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="project",
        verbose_name=_("consent campaign (问需)"),
        editable=False,
    )
    approved_by = models.ForeignKey(
        "accounts.User", models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    contractor = models.CharField(_("contractor"), max_length=100, blank=True)
    works_started_on = models.DateField(_("works started on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    representatives = models.PositiveSmallIntegerField(
        _("residents' representatives who signed"), null=True, blank=True
    )
    respondents = models.PositiveIntegerField(_("residents asked"), null=True, blank=True)
    satisfied = models.PositiveIntegerField(_("residents satisfied"), null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_domain = "projects"
    scope_paths = {
        "subdistrict": "subdistrict_id",
        "community": "community_id",
        "organisation": lambda ids: (
            Q(partner_id__in=sorted(ids))
            | Q(owner_org_id__in=sorted(ids))
            | Q(
                pk__in=Project.resources.through.objects.filter(resource__partner_id__in=sorted(ids)).values(
                    "project_id"
                )
            )
        ),
    }

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [
            models.Index(fields=["community", "state"], name="project_community_state"),
            models.Index(fields=["programme", "community", "starts_on"], name="project_programme_year"),
        ]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:project", args=[self.pk])

    @property
    def quarter(self):
        return f"{self.starts_on.year}Q{(self.starts_on.month - 1) // 3 + 1}"

    def budget_fen(self):
        return self.funding.aggregate(total=Sum("amount_fen"))["total"] or 0

    @property
    def livelihood(self):
        return self.programme == self.Programme.LIVELIHOOD

    @property
    def satisfaction(self):
        """问效: the share of the residents asked who are satisfied, in per cent (one decimal)."""
        if not self.respondents:
            return None
        return round(100 * self.satisfied / self.respondents, 1)

    def accounts(self):
        """晒账: per source, the approved budget, what was paid and what is left, from the budget
        rows and the payments (two grouped queries). Money in fen."""
        approved = dict(
            self.funding.exclude(approved_fen=None).values_list("source").annotate(t=Sum("approved_fen")).order_by()
        )
        paid = dict(self.payments.values_list("source").annotate(t=Sum("amount_fen")).order_by())
        rows = []
        for source, label in Funding.Source.choices:
            if source in approved or source in paid:
                a, p = approved.get(source, 0), paid.get(source, 0)
                rows.append({"source": source, "label": label, "approved": a, "paid": p, "left": a - p})
        return rows

    def clean(self):
        errors = {}
        self.clean_place(errors)
        if self.partner_id is not None and self.partner.kind != Kind.PARTNER:
            errors["partner"] = _("Choose a co-building partner.")
        check_years(errors, self, "starts_on", "ends_on")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The deadline cannot come before the start.")
        if self.meeting_id is not None and (
            self.meeting.kind != Meeting.Kind.PARTY_JOINT or self.meeting.community_id != self.community_id
        ):
            errors["meeting"] = _("Choose a party-building joint meeting of the community.")
        if errors:
            raise ValidationError(errors)


class Funding(models.Model):
    """One row of a project's budget: where the money comes from and how much, in fen."""

    class Source(models.TextChoices):
        PARTNER = "partner", _("Partner contribution")
        SERVICE_FUND = "service_fund", _("Service-for-the-people fund (为民服务专项资金)")
        MAINTENANCE = "maintenance", _("Maintenance fund (维修资金)")
        RESIDENTS = "residents", _("Residents' payments")
        SUBDISTRICT = "subdistrict", _("Sub-district budget")
        OTHER = "other", _("Other")

    project = models.ForeignKey(Project, models.CASCADE, related_name="funding")
    source = models.CharField(_("source of funds"), max_length=12, choices=Source.choices)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"), validators=[MinValueValidator(1)])
    note = models.CharField(_("note"), max_length=100, blank=True)
    # 民生实事: what was approved of the amount applied for (立项, or a later 追加 approval); the
    # payments of a source may not exceed it. Empty while applied for.
    approved_fen = models.PositiveBigIntegerField(_("approved (fen)"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("funding")
        verbose_name_plural = _("funding")

    def __str__(self):
        return f"{self.get_source_display()} {self.amount_fen}"


class Payment(models.Model):
    """A payment of a 民生实事 (晒账: every payment is published): from which source, how much, on
    which day, to whom (the contractor or supplier, an organisation), against which invoice. Never
    edited: a wrong one is answered by a correcting payment's note, as in the fund ledger."""

    project = models.ForeignKey(Project, models.PROTECT, related_name="payments")
    source = models.CharField(_("source of funds"), max_length=12, choices=Funding.Source.choices)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"), validators=[MinValueValidator(1)])
    paid_on = models.DateField(_("paid on"))
    payee = models.CharField(_("paid to"), max_length=100)
    invoice = models.CharField(_("invoice"), max_length=50, blank=True)
    # from the maintenance fund: the fund's own use (vote, approvals, payment, apportioned to the
    # houses in its ledger) that paid it; the project's accounts show it, the fund is debited once
    fund_use = models.ForeignKey(
        "funds.Use",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="project_payments",
        verbose_name=_("maintenance fund use"),
    )
    created_by = models.ForeignKey("accounts.User", models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self):
        return f"{self.get_source_display()} {self.amount_fen}"


class Photo(models.Model):
    """A progress photo of a 民生实事's works (EXIF removed): shown to staff and, once the project is
    published, on its public page with its caption (checked for personal data)."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="photos")
    photo = models.FileField(_("photo"), upload_to="projects/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=100)
    taken_on = models.DateField(_("taken on"))
    created_by = models.ForeignKey("accounts.User", models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["taken_on", "id"]
        verbose_name = _("progress photo")
        verbose_name_plural = _("progress photos")

    def __str__(self):
        return self.caption
