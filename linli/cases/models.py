"""说事 · 办事: a resident's request (诉求) and the work order it becomes, until closed.

A Case is both: it is reported (intake), then dispatched, handled, verified, rated and closed.
Every step is an immutable CaseEvent, the timeline, the audit trail and the source of the rates.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import geo
from linli.core.fields import EncryptedTextField
from linli.core.lifecycle import lifecycle_of
from linli.core.masking import mask_phone
from linli.core.scope import ScopedModel, with_user


class WorkdayOverride(models.Model):
    """法定节假日与调休: a date that breaks the Monday–Friday rule (a holiday on a weekday, or a
    make-up working day on a weekend). Edited by administrators for future years."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=50, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday or make-up day")
        verbose_name_plural = _("holidays and make-up days")

    def __str__(self):
        return f"{self.date} {self.note}"


class HandlerKind(models.TextChoices):
    PROPERTY = "property", _("Property company")
    DEPARTMENT = "department", _("Government department")
    COMMUNITY = "community", _("Community")


class Category(models.Model):
    """诉求分类: a configurable tree; each category names its usual handler and time limits."""

    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    name = models.CharField(_("name"), max_length=40)
    handler_kind = models.CharField(
        _("usual handler"), max_length=12, choices=HandlerKind.choices, default=HandlerKind.COMMUNITY
    )
    respond_hours = models.PositiveSmallIntegerField(_("respond within (hours)"), default=24)
    resolve_workdays = models.PositiveSmallIntegerField(_("resolve within (working days)"), default=5)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="uniq_category_name")]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return f"{self.parent.name} · {self.name}" if self.parent_id else self.name

    def clean(self):
        if self.resolve_workdays < 1:
            raise ValidationError({"resolve_workdays": _("At least one working day.")})


class Route(ScopedModel):
    """派单路由: who handles a category of request at a place — the sub-district, a community, a
    community grid, or a department's own grid (部门网格, which stands for the community grids it
    covers). A route on a category group covers its leaves. Dispatch suggests the organisations of
    the most specific routes that match (cases.routing). Kept by those with config.change."""

    category = models.ForeignKey(Category, models.CASCADE, related_name="routes", verbose_name=_("category"))
    organisation = models.ForeignKey(
        "orgs.Organisation", models.CASCADE, related_name="routes", verbose_name=_("handled by")
    )
    subdistrict = models.ForeignKey("places.Subdistrict", models.CASCADE, related_name="+", editable=False)
    community = models.ForeignKey(
        "places.Community", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("community")
    )
    grid = models.ForeignKey(
        "places.Grid", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("grid")
    )
    department_grid = models.ForeignKey(
        "orgs.DepartmentGrid",
        models.PROTECT,  # deleted only once no route uses it (the deletion of each is audited)
        null=True,
        blank=True,
        related_name="routes",
        verbose_name=_("department grid"),
    )

    scope_domain = "config"
    scope_paths = {"subdistrict": "subdistrict_id", "community": "community_id", "grid": "grid_id"}

    class Meta:
        ordering = ["category__order", "category__name", "community_id", "grid_id", "id"]
        verbose_name = _("route")
        verbose_name_plural = _("routes")

    def __str__(self):
        return f"{self.category} @ {self.place} → {self.organisation.name}"

    @property
    def place(self):
        return self.department_grid or self.grid or self.community or self.subdistrict

    def clean(self):
        errors = {}
        if self.grid_id and self.department_grid_id:
            errors["department_grid"] = _("Choose a community grid or a department grid, not both.")
        if self.grid_id:
            if self.community_id and self.community_id != self.grid.community_id:
                errors["grid"] = _("The grid is not in this community.")
            self.community_id = self.grid.community_id  # a grid's route is its community's too
        if self.department_grid_id:
            if self.community_id:  # it may cover the grids of several communities
                errors["community"] = _("A department grid stands for its own grids: leave the community empty.")
            if self.department_grid.subdistrict_id != self.subdistrict_id:
                errors["department_grid"] = _("The department grid is not in this sub-district.")
        if self.community_id and self.community.subdistrict_id != self.subdistrict_id:
            errors["community"] = _("The community is not in this sub-district.")
        if self.organisation_id and self.organisation.subdistrict_id != self.subdistrict_id:
            errors["organisation"] = _("The organisation is not in this sub-district.")
        if not errors and self._twin().exists():
            errors["organisation"] = _("This route exists already.")
        if errors:
            raise ValidationError(errors)

    def _twin(self):
        return Route.objects.filter(
            category_id=self.category_id,
            organisation_id=self.organisation_id,
            subdistrict_id=self.subdistrict_id,
            community_id=self.community_id,
            grid_id=self.grid_id,
            department_grid_id=self.department_grid_id,
        ).exclude(pk=self.pk)


class Channel(models.TextChoices):
    SELF_SERVICE = "self_service", _("Resident self-service")
    PATROL = "patrol", _("Grid patrol")
    HOTLINE = "hotline", _("Hotline")
    VISIT = "visit", _("Door-to-door visit")
    WECHAT = "wechat", _("WeChat group")
    RECEPTION = "reception", _("Representative reception day")
    COMMENT_BOOK = "comment_book", _("Comment book")
    WHISPER = "whisper", _("Grid whisper (anonymous)")
    RESOLUTION = "resolution", _("Action item of a consultation outcome")


class State(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("In progress")
    RETURNED = "returned", _("Returned by handler")
    HANDLED = "handled", _("Handled")
    VERIFIED = "verified", _("Verified")
    RATED = "rated", _("Rated")
    CLOSED = "closed", _("Closed")
    DECLINED = "declined", _("Declined")
    MERGED = "merged", _("Merged into another request")
    ESCALATED = "escalated", _("Whistle blown to the sub-district")
    # taken into a topic (议事中): its clock stops until the topic's outcome is published
    DELIBERATING = "deliberating", _("In deliberation")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class Where(models.TextChoices):
    """What kind of place the problem is at: how the request's grid was found (cases.location)."""

    HOUSE = "house", _("A house")
    UNIT = "unit", _("A unit")
    BUILDING = "building", _("A building")
    COMMON = "common", _("A compound's common area")
    MAP = "map", _("On the map")


OPEN_STATES = (
    State.ACCEPTED,
    State.DISPATCHED,
    State.IN_PROGRESS,
    State.RETURNED,
    State.HANDLED,
    State.ESCALATED,
    State.DELIBERATING,
)


class Case(ScopedModel):
    """诉求 / 工单: one request from a resident or a grid worker, owned until it is closed."""

    channel = models.CharField(_("channel"), max_length=14, choices=Channel.choices)
    category = models.ForeignKey(Category, models.PROTECT, related_name="cases", verbose_name=_("category"))
    description = models.TextField(_("description"), max_length=2000)
    grid = models.ForeignKey("places.Grid", models.PROTECT, related_name="cases", verbose_name=_("grid"))
    compound = models.ForeignKey(
        "places.Compound", models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("compound")
    )
    building = models.ForeignKey(
        "places.Building", models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("building")
    )
    house = models.ForeignKey(
        "places.House", models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("house")
    )
    community = models.ForeignKey("places.Community", models.PROTECT, related_name="+", editable=False)
    subdistrict = models.ForeignKey("places.Subdistrict", models.PROTECT, related_name="+", editable=False)
    # where the problem is (issue 12): the kind of place chosen, a unit, and a point on the map of
    # grids (GeoJSON, in the boundaries' longitude/latitude); blank for requests from before
    where = models.CharField(_("where"), max_length=8, choices=Where.choices, blank=True)
    unit = models.ForeignKey(
        "places.Unit", models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("unit")
    )
    location = models.JSONField(_("point on the map"), null=True, blank=True, validators=[geo.validate_point])
    # the facility the request is about (issue 15, docs/facilities.md): a lift, a camera, a shed …
    # of the compound; its page lists the requests that name it and counts repeated failures
    facility = models.ForeignKey(
        "facilities.Facility",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("facility"),
    )

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_cases",
        verbose_name=_("reporter"),
    )
    reporter_household = models.ForeignKey("people.Household", models.SET_NULL, null=True, blank=True, related_name="+")
    reporter_name = models.CharField(_("reporter's name"), max_length=50, blank=True)
    reporter_phone = EncryptedTextField(_("reporter's phone"), blank=True)
    anonymous = models.BooleanField(
        _("anonymous"), default=False, help_text=_("The reporter is named on no page, and no house number is recorded.")
    )

    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.ACCEPTED, db_index=True)
    assignee_org = models.ForeignKey(
        "orgs.Organisation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("handling organisation"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("handler"),
    )
    respond_by = models.DateTimeField(_("respond by"), db_index=True)
    resolve_by = models.DateTimeField(_("resolve by"), db_index=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    # 晒事: what the public board says was raised and done, written by staff at verification or
    # closing and checked for personal data (people.public_text); the resident's own words never
    # reach the board. Empty: the board shows the category only.
    public_summary = models.CharField(_("public summary of the problem"), max_length=300, blank=True)
    public_measures = models.CharField(_("public summary of what was done"), max_length=300, blank=True)
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("rating comment"), max_length=200, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    needs_supervisor = models.BooleanField(_("needs the supervisor"), default=False)
    merged_into = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="merged", verbose_name=_("merged into")
    )
    # an action item of a consultation outcome (协商成果) is tracked as a work order of its topic
    resolution_of = models.ForeignKey(
        "deliberation.Topic",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("action item of"),
    )
    # set once, by the job that claimed this case (conditional UPDATE: one sender only)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    # 缓办 pauses the clock; resuming moves the deadline by the paused time
    paused_at = models.DateTimeField(_("clock stopped since"), null=True, blank=True)
    deferred = models.BooleanField(_("deferred"), default=False)
    extended = models.BooleanField(_("deadline extended"), default=False)
    reworked = models.BooleanField(_("sent back at verification"), default=False)
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)
    # counted in CaseStat (see rollup.py); any change to the request takes it back out first
    # (rollup.release_before_save / release_before_delete, connected in CasesConfig.ready)
    rolled_up = models.BooleanField(default=False, editable=False)

    scope_domain = "cases"
    scope_paths = {
        "subdistrict": "subdistrict_id",
        "community": "community_id",
        "grid": "grid_id",
        "compound": "compound_id",
        "building": "building_id",
        "unit": lambda ids: models.Q(unit_id__in=sorted(ids)) | models.Q(house__unit_id__in=sorted(ids)),
        # a resident sees their household's requests, and a whisper only if they reported it
        "household": with_user(
            lambda ids, user: (
                models.Q(reporter_household_id__in=sorted(ids))
                & (models.Q(anonymous=False) | models.Q(reporter_id=user.pk))
            )
        ),
        # the lead organisation's staff, and those of its co-handlers (联合处置: CoHandler)
        "organisation": lambda ids: (
            models.Q(assignee_org_id__in=sorted(ids))
            | models.Q(pk__in=CoHandler.objects.filter(organisation_id__in=sorted(ids)).values("case_id"))
        ),
    }
    sensitive_fields = {"reporter_phone": mask_phone}
    # the audit log names linked rows (core.audit_display), but not who reported: an anonymous
    # request's reporter is named nowhere, and the page says who reported where that is allowed
    audit_names_withheld = ("reporter", "reporter_household")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        # The work-order list: a scope, often a state, newest first (docs/benchmarks.md).
        indexes = [
            models.Index(fields=["subdistrict", "state", "-created_at", "-id"], name="case_sub_state_new"),
            models.Index(fields=["community", "state", "-created_at", "-id"], name="case_com_state_new"),
            models.Index(fields=["grid", "state", "-created_at", "-id"], name="case_grid_state_new"),
            models.Index(fields=["assignee_org", "state", "-created_at", "-id"], name="case_org_state_new"),
            models.Index(fields=["state", "-created_at", "-id"], name="case_state_new"),
            models.Index(fields=["-created_at", "-id"], name="case_new"),
            # the public board: a community's published results, latest handled first
            models.Index(
                fields=["community", "-handled_at", "-id"],
                name="case_board",
                condition=models.Q(anonymous=False, state__in=["closed", "rated", "verified"]),
            ),
            # the rollup job's queue
            models.Index(fields=["resolve_by"], name="case_to_roll_up", condition=models.Q(rolled_up=False)),
        ]

    def __str__(self):
        return f"{self.number} {self.category.name if self.category_id else ''}"

    @property
    def number(self):
        return f"{timezone.localtime(self.created_at):%Y%m%d}-{self.pk or 0:05d}"

    def get_absolute_url(self):
        return reverse("cases:detail", args=[self.pk])

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    def is_overdue(self, now=None):
        """Open, past its deadline, and its clock running (not deferred, not in deliberation)."""
        return self.is_open and self.paused_at is None and (now or timezone.now()) > self.resolve_by

    def clean(self):
        # 网格悄悄话: a house would name the reporter (their home, or the neighbour they live beside)
        if self.facility_id and self.compound_id and self.facility.compound_id != self.compound_id:
            raise ValidationError({"facility": _("The facility is not in the compound of the request.")})
        if self.anonymous and self.house_id:
            raise ValidationError(
                {
                    "house": _(
                        "An anonymous request records no house number: choose the building or the compound "
                        "where the problem is."
                    )
                }
            )


class Assignment(models.Model):
    """交办单: the sub-district assigns an escalated request to a department with a deadline;
    督办 reminders follow; the department answers with its feedback (反馈单)."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="assignments")
    department = models.ForeignKey(
        "orgs.Organisation", models.PROTECT, related_name="assignments", verbose_name=_("department")
    )
    deadline = models.DateTimeField(_("deadline"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    reminders = models.PositiveSmallIntegerField(default=0)
    feedback = models.TextField(_("feedback"), blank=True)
    feedback_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["issued_at", "id"]

    def __str__(self):
        return f"{self.case_id} → {self.department_id}"


class CoHandler(models.Model):
    """联合处置: an organisation that works a work order with its lead (`Case.assignee_org`) —
    "综合执法部门+网格员+网格警联合上门". Its staff see the order and give their feedback (the
    latest is kept here, every one is on the timeline); only the lead reports it handled."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="co_handlers")
    organisation = models.ForeignKey(
        "orgs.Organisation", models.PROTECT, related_name="co_handled", verbose_name=_("co-handling organisation")
    )
    feedback = models.TextField(_("feedback"), blank=True)
    feedback_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    feedback_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "organisation"], name="uniq_co_handler")]
        verbose_name = _("co-handler")
        verbose_name_plural = _("co-handlers")

    def __str__(self):
        return f"{self.case_id} + {self.organisation_id}"


class CasePhoto(models.Model):
    """A photo of the problem (at intake) or of the result (at handling), EXIF removed."""

    class Kind(models.TextChoices):
        INTAKE = "intake", _("Problem")
        RESULT = "result", _("Result")

    case = models.ForeignKey(Case, models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.INTAKE)
    image = models.FileField(upload_to="cases/%Y/%m/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # a result photo the handler marked for the public board (晒事); intake photos never are
    public = models.BooleanField(_("shown on the public board"), default=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.image.name

    def get_absolute_url(self):
        return reverse("cases:photo", args=[self.pk])


# timeline entries written outside the lifecycle's moves (and the merged request's own wording)
OTHER_EVENTS = {
    "report": _("Reported"),
    "comment": _("Comment"),
    "overdue": _("Past its deadline"),
    "merge": _("Merged"),
    "warn": _("Deadline reminder"),
}


def event_actions():
    """The choices of CaseEvent.action: the entries above, then every move of the work-order
    lifecycle (cases.workflow, imported by CasesConfig.ready). A callable, so the migration names it
    and a new move needs none."""
    return [*OTHER_EVENTS.items(), *((m.name, m.label) for m in lifecycle_of(Case) if m.name not in OTHER_EVENTS)]


class CaseEvent(models.Model):
    """工单时间线: one immutable entry per transition or comment, with its actor and time."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=event_actions)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.case_id} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("timeline entries are immutable")
        super().save(*args, **kwargs)

    def get_action_label(self):
        return self.get_action_display()


class CaseStat(ScopedModel):
    """Dashboard counts of settled requests (both deadlines passed), per month, kept by rollup.py.

    Each rolled-up request is counted in three rows of its month: by grid, by category and by
    handling organisation (the dashboard's tables). The counters are those of metrics.counts,
    which for a settled request no longer depend on the time; `handling_seconds` and `within_*`
    give the average handling time and its 90th percentile.
    """

    class Dimension(models.TextChoices):
        GRID = "grid"
        CATEGORY = "category"
        ORG = "org"

    dimension = models.CharField(max_length=8, choices=Dimension.choices)
    month = models.DateField()  # first day of the month of reporting, Asia/Shanghai
    subdistrict = models.ForeignKey("places.Subdistrict", models.CASCADE, related_name="+")
    community = models.ForeignKey("places.Community", models.CASCADE, related_name="+")
    grid = models.ForeignKey("places.Grid", models.CASCADE, null=True, related_name="+")
    category = models.ForeignKey(Category, models.CASCADE, null=True, related_name="+")
    assignee_org = models.ForeignKey("orgs.Organisation", models.CASCADE, null=True, related_name="+")
    total = models.IntegerField(default=0)
    response_due = models.IntegerField(default=0)
    responded_in_time = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    open = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    due = models.IntegerField(default=0)
    due_deferred = models.IntegerField(default=0)
    closed_on_time = models.IntegerField(default=0)
    handled = models.IntegerField(default=0)
    reworked = models.IntegerField(default=0)
    extended = models.IntegerField(default=0)
    escalated = models.IntegerField(default=0)
    handling_seconds = models.BigIntegerField(default=0)
    within_4h = models.IntegerField(default=0)
    within_8h = models.IntegerField(default=0)
    within_24h = models.IntegerField(default=0)
    within_48h = models.IntegerField(default=0)
    within_72h = models.IntegerField(default=0)
    within_120h = models.IntegerField(default=0)
    within_168h = models.IntegerField(default=0)
    within_240h = models.IntegerField(default=0)
    within_360h = models.IntegerField(default=0)
    within_720h = models.IntegerField(default=0)

    scope_domain = "cases"
    scope_paths = {"subdistrict": "subdistrict_id", "community": "community_id"}

    class Meta:
        indexes = [
            models.Index(fields=["dimension", "subdistrict", "month"], name="casestat_sub"),
            models.Index(fields=["dimension", "community", "month"], name="casestat_com"),
            models.Index(fields=["dimension", "month"], name="casestat_month"),
        ]
