"""The forms of the three lists: each create form hands its values to an action (actions.py); each
move's form (core.lifecycle.MoveForm) is posted by the screen and generates the API's request
schema."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.cases.forms import PhotoField
from linli.cases.models import Category
from linli.core.forms import DatePicker, preselect_only_choice, style
from linli.core.ids import IdField, ModelMultipleChoiceField
from linli.core.lifecycle import MoveForm
from linli.deliberation.models import Meeting, Procedure, Topic
from linli.funds.models import Use
from linli.orgs.models import Kind, Organisation
from linli.places.models import Building, Community, Compound, Grid

from .models import Funding, Heading, Need, Project, Resource

DATE = DatePicker()


def communities(user):
    return Community.objects.restrict(user, "change", domain="projects").order_by("name")


def partners(user, action="change"):
    """The partners whose resources `user` may enter: a community's staff, those paired with it;
    a partner's staff, their own."""
    return Organisation.objects.restrict(user, action, domain="projects").filter(kind=Kind.PARTNER).order_by("name")


class _Placed(forms.Form):
    community = forms.ModelChoiceField(label=_("community"), queryset=Community.objects.none())
    compound = forms.ModelChoiceField(label=_("compound"), queryset=Compound.objects.none(), required=False)
    grid = forms.ModelChoiceField(label=_("grid"), queryset=Grid.objects.none(), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        mine = communities(user)
        self.fields["community"].queryset = mine
        self.fields["compound"].queryset = Compound.objects.filter(community__in=mine).order_by("name")
        self.fields["grid"].queryset = Grid.objects.filter(community__in=mine).order_by("name")
        preselect_only_choice(self, "community")
        style(self)


class NeedForm(_Placed):
    """需求: a group's need, its heading and place; linked to requests (by number) and a topic."""

    title = forms.CharField(label=_("need"), max_length=100)
    heading = forms.ChoiceField(label=_("heading"), choices=Heading.choices)
    description = forms.CharField(label=_("description"), max_length=2000, required=False, widget=forms.Textarea)
    beneficiaries = forms.CharField(
        label=_("who needs it"), max_length=100, help_text=_("A group, never a named resident: e.g. 辖区独居老人.")
    )
    people_count = forms.IntegerField(label=_("people it helps"), min_value=1, max_value=1_000_000)
    source = forms.ChoiceField(label=_("source"), choices=Need.Source.choices, initial=Need.Source.STAFF)
    case_numbers = forms.CharField(
        label=_("source requests"),
        max_length=300,
        required=False,
        help_text=_("Request numbers, separated by spaces or commas (e.g. 20260412-00031)."),
    )
    topic = forms.ModelChoiceField(label=_("source topic"), queryset=Topic.objects.none(), required=False)

    field_order = ["title", "heading", "community", "compound", "grid", "beneficiaries", "people_count"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.restrict(self.user).filter(
            community__in=self.fields["community"].queryset
        )

    def clean_case_numbers(self):
        numbers = self.cleaned_data["case_numbers"].replace(",", " ").replace("，", " ").split()
        return [n.strip() for n in numbers if n.strip()]


class ResourceForm(_Placed):
    """资源: what a partner (or the talent pool) offers, with quantity, availability, conditions."""

    partner = forms.ModelChoiceField(
        label=_("co-building partner"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Empty for the residents' talent pool."),
    )
    kind = forms.ChoiceField(label=_("kind of resource"), choices=Resource.Kind.choices)
    heading = forms.ChoiceField(label=_("heading"), choices=Heading.choices)
    title = forms.CharField(label=_("resource"), max_length=100)
    description = forms.CharField(label=_("description"), max_length=2000, required=False, widget=forms.Textarea)
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, max_value=1_000_000, initial=1)
    unit = forms.CharField(label=pgettext_lazy("of a quantity", "unit"), max_length=10, required=False)
    amount_yuan = forms.DecimalField(
        label=_("amount (yuan)"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    available_from = forms.DateField(label=_("available from"), required=False, widget=DATE)
    available_until = forms.DateField(label=_("available until"), required=False, widget=DATE)
    conditions = forms.CharField(label=_("conditions"), max_length=300, required=False)

    field_order = ["partner", "kind", "heading", "title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners(self.user, "offer")
        if not self.fields["community"].queryset.exists():  # a partner's staff: the paired community
            del self.fields["community"], self.fields["compound"], self.fields["grid"]
            self.fields["partner"].required = True
            self.fields["kind"].choices = [c for c in Resource.Kind.choices if c[0] != Resource.Kind.TALENT]
        preselect_only_choice(self, "partner")

    def clean(self):
        data = super().clean()
        amount = data.pop("amount_yuan", None)
        data["amount_fen"] = int(amount * 100) if amount is not None else None
        return data


class ProjectForm(_Placed):
    """项目: needs and resources of one community, the owner, the schedule. Resolved at a joint
    meeting it names the topic of the agenda and the work order's category."""

    programme = forms.ChoiceField(
        label=_("programme"),
        choices=Project.Programme.choices,
        initial=Project.Programme.COBUILDING,
        help_text=_("A 民生实事 is applied for, approved by the sub-district, built, accepted and evaluated."),
    )
    title = forms.CharField(label=_("project"), max_length=100)
    heading = forms.ChoiceField(label=_("heading"), choices=Heading.choices)
    description = forms.CharField(label=_("description"), max_length=2000, required=False, widget=forms.Textarea)
    needs = ModelMultipleChoiceField(label=_("needs served"), queryset=Need.objects.none(), required=False)
    resources = ModelMultipleChoiceField(label=_("resources used"), queryset=Resource.objects.none(), required=False)
    partner = forms.ModelChoiceField(label=_("partner credited"), queryset=Organisation.objects.none(), required=False)
    owner_org = forms.ModelChoiceField(label=_("responsible organisation"), queryset=Organisation.objects.none())
    owner_name = forms.CharField(label=_("person responsible"), max_length=50)
    starts_on = forms.DateField(label=_("starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("deadline"), widget=DATE)
    funding_source = forms.ChoiceField(
        label=_("source of funds"), choices=[("", "—"), *Funding.Source.choices], required=False
    )
    funding_yuan = forms.DecimalField(
        label=_("amount (yuan)"), min_value=0, max_digits=12, decimal_places=2, required=False
    )

    field_order = ["programme", "title", "heading", "community", "compound", "grid", "needs", "resources"]

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        mine = self.fields["community"].queryset
        if meeting is not None:
            mine = mine.filter(pk=meeting.community_id)
            self.fields["community"].queryset = mine
            self.fields["community"].initial = meeting.community_id
        self.fields["needs"].queryset = Need.objects.filter(community__in=mine, state=Need.State.OPEN)
        self.fields["resources"].queryset = Resource.objects.filter(
            community__in=mine, state=Resource.State.OFFERED
        ).select_related("partner")
        self.fields["partner"].queryset = Organisation.objects.filter(kind=Kind.PARTNER, community__in=mine)
        self.fields["owner_org"].queryset = Organisation.objects.filter(
            subdistrict_id__in=mine.values("subdistrict_id")
        ).order_by("kind", "name")
        self.meeting = meeting
        if meeting is not None:  # the resolution's row: a topic of the agenda and the work order's category
            del self.fields["programme"]  # a joint meeting resolves co-building projects
            self.fields["topic"] = forms.ModelChoiceField(label=_("topic of the agenda"), queryset=meeting.topics.all())
            self.fields["category"] = forms.ModelChoiceField(
                label=_("category of the work order"), queryset=Category.objects.filter(active=True, children=None)
            )
            preselect_only_choice(self, "topic")
        style(self)

    def clean(self):
        data = super().clean()
        source, amount = data.pop("funding_source", ""), data.pop("funding_yuan", None)
        if amount and not source:
            self.add_error("funding_source", _("Say where the money comes from."))
        data["funding"] = [(source, int(amount * 100))] if source and amount else []
        return data


class FundingForm(forms.Form):
    source = forms.ChoiceField(label=_("source of funds"), choices=Funding.Source.choices)
    amount_yuan = forms.DecimalField(label=_("amount (yuan)"), min_value=0.01, max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("note"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


# --- the moves' inputs ---------------------------------------------------------------------------


class ReasonForm(MoveForm):
    reason = forms.CharField(label=_("reason"), max_length=200)


class DeliverForm(MoveForm):
    """交付: the day it was delivered and the result published on the board (晒事)."""

    delivered_on = forms.DateField(label=_("delivered on"), widget=DATE)
    result = forms.CharField(
        label=_("result published"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("On the community's public board: no names, houses or phone numbers."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivered_on"].initial = timezone.localdate()


# --- 民生实事: the moves' inputs ----------------------------------------------------------------


class ApproveForm(MoveForm):
    """立项: the day, the 四议两公开 topic through which the 为民服务专项资金 was applied for, and
    the amount of it approved when less than applied for."""

    approved_on = forms.DateField(label=_("approved on"), widget=DATE)
    application = forms.ModelChoiceField(
        label=_("application (四议两公开)"), queryset=Topic.objects.none(), required=False
    )
    service_fund_yuan = forms.DecimalField(
        label=_("service-for-the-people fund approved (yuan)"),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Only when less than applied for."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approved_on"].initial = timezone.localdate()
        if self.obj is not None:
            self.fields["application"].queryset = Topic.objects.filter(
                community_id=self.obj.community_id, procedure__code=Procedure.FOUR_AND_TWO
            ).order_by("-created_at")

    def clean(self):
        data = super().clean()
        amount = data.pop("service_fund_yuan", None)
        data["service_fund_fen"] = int(amount * 100) if amount is not None else None
        return data


class BudgetForm(MoveForm):
    """追加: a further amount approved for one source, with the reason."""

    source = forms.ChoiceField(label=_("source of funds"), choices=Funding.Source.choices)
    amount_yuan = forms.DecimalField(
        label=_("amount (yuan)"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    reason = forms.CharField(label=_("reason"), max_length=100)

    def clean(self):
        data = super().clean()
        if data.get("amount_yuan") is not None:
            data["amount_fen"] = int(data["amount_yuan"] * 100)
        return data


class CampaignForm(MoveForm):
    """问需: the consent campaign of the houses concerned — the project's compound, or some of its
    buildings —, its threshold and the share each house is asked to pay."""

    threshold_percent = forms.IntegerField(label=_("threshold (%)"), min_value=1, max_value=100, initial=80)
    share_yuan = forms.DecimalField(
        label=_("share per house (yuan)"),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Empty: consent only, nothing to pay."),
    )
    buildings = ModelMultipleChoiceField(
        label=_("only these buildings"), queryset=Building.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.obj is not None and self.obj.compound_id:
            self.fields["buildings"].queryset = Building.objects.filter(compound_id=self.obj.compound_id)

    def clean(self):
        data = super().clean()
        share = data.pop("share_yuan", None)
        data["share_fen"] = int(share * 100) if share is not None else None
        return data


class AnswerForm(MoveForm):
    """One house's answer from the door-to-door form, and the share it paid with the day."""

    ANSWERS = (("agree", _("Agrees")), ("refuse", _("Refuses")), ("none", _("No answer")))

    house = IdField(label=_("house"))
    answer = forms.ChoiceField(label=_("answer"), choices=ANSWERS)
    paid_yuan = forms.DecimalField(
        label=_("share paid (yuan)"), min_value=Decimal("0"), max_digits=12, decimal_places=2, required=False
    )
    paid_on = forms.DateField(label=_("paid on"), widget=DATE, required=False)

    def clean_house(self):
        pk = self.cleaned_data["house"]
        campaign = self.obj.campaign if self.obj is not None else None
        house = campaign.houses().filter(pk=pk).first() if campaign is not None else None
        if house is None:
            raise forms.ValidationError(_("Choose a house the campaign asks."))
        return house

    def clean_paid_on(self):
        day = self.cleaned_data["paid_on"]
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError(_("Give a day that is not still to come."))
        return day

    def clean(self):
        data = super().clean()
        paid = data.pop("paid_yuan", None)
        data["paid_fen"] = int(paid * 100) if paid is not None else 0
        data["consent"] = {"agree": True, "refuse": False}.get(data.get("answer", ""))
        return data


class WorksForm(MoveForm):
    """开工: the contractor chosen by tender, the day the works started, and the design
    consultation (问计) meeting held with the residents."""

    contractor = forms.CharField(label=_("contractor"), max_length=100)
    works_started_on = forms.DateField(label=_("works started on"), widget=DATE)
    consultation = forms.ModelChoiceField(
        label=_("design consultation (问计)"), queryset=Meeting.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["works_started_on"].initial = timezone.localdate()
        if self.obj is not None:
            self.fields["consultation"].queryset = Meeting.objects.filter(community_id=self.obj.community_id).order_by(
                "-starts_at"
            )


class PhotoForm(MoveForm):
    """A progress photo of the works (EXIF removed), with a caption for the public page."""

    photo = PhotoField(label=_("Photo"), required=True)
    caption = forms.CharField(label=_("caption"), max_length=100)
    taken_on = forms.DateField(label=_("taken on"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["taken_on"].initial = timezone.localdate()


class PaymentForm(MoveForm):
    """A payment: source, amount, day, to whom, against which invoice."""

    source = forms.ChoiceField(label=_("source of funds"), choices=Funding.Source.choices)
    amount_yuan = forms.DecimalField(
        label=_("amount (yuan)"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    paid_on = forms.DateField(label=_("paid on"), widget=DATE)
    payee = forms.CharField(label=_("paid to"), max_length=100)
    invoice = forms.CharField(label=_("invoice"), max_length=50, required=False)
    fund_use = forms.ModelChoiceField(
        label=_("maintenance fund use"),
        queryset=Use.objects.none(),
        required=False,
        help_text=_("For the maintenance fund: the fund's use, paid, that the payment was."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()
        compound = getattr(self.obj, "compound_id", None)
        if compound and self.actor is not None:  # the paid uses of the project's compound fund
            uses = Use.objects.restrict(self.actor).filter(compound_id=compound, state=Use.State.PAID)
            self.fields["fund_use"].queryset = uses.select_related("fund")

    def clean(self):
        data = super().clean()
        if data.get("amount_yuan") is not None:
            data["amount_fen"] = int(data["amount_yuan"] * 100)
        return data


class AcceptForm(MoveForm):
    """验收: the day and how many residents' representatives signed the acceptance."""

    accepted_on = forms.DateField(label=_("accepted on"), widget=DATE)
    representatives = forms.IntegerField(label=_("residents' representatives who signed"), min_value=1, max_value=999)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accepted_on"].initial = timezone.localdate()


class EvaluateForm(MoveForm):
    """问效 · 晒账: the residents asked and those satisfied, and the result published on the board
    with the accounts."""

    respondents = forms.IntegerField(label=_("residents asked"), min_value=1, max_value=1_000_000)
    satisfied = forms.IntegerField(label=_("residents satisfied"), min_value=0, max_value=1_000_000)
    result = forms.CharField(
        label=_("result published"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("On the community's public board: no names, houses or phone numbers."),
    )

    def clean(self):
        data = super().clean()
        satisfied, asked = data.get("satisfied"), data.get("respondents")
        if satisfied is not None and asked is not None and satisfied > asked:
            self.add_error("satisfied", _("No more than the residents asked."))
        return data
