"""The forms of deliberation's screens: opening a vote, raising a topic, convening a meeting,
asking for consent, defining procedures. Ids come through linli.core.ids' fields, checked
before the ORM; the actions (actions.py, procedures.py, meetings.py) do the writing."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.cases.models import Case, Category
from linli.core.forms import preselect_only_choice, style
from linli.core.ids import IdField, ModelMultipleChoiceField
from linli.core.lifecycle import MoveForm
from linli.orgs.models import Organisation
from linli.places.models import Building, Community, Compound, Grid, Unit

from .models import (
    HandVote,
    Invitation,
    Matter,
    Meeting,
    Opinion,
    OwnerVote,
    Procedure,
    StepRule,
    Topic,
)


class VoteForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=120)
    matter = forms.TypedChoiceField(label=_("matter"), choices=Matter.choices, coerce=int)
    compound = forms.ModelChoiceField(label=_("compound"), queryset=Compound.objects.none())
    buildings = ModelMultipleChoiceField(
        label=_("only these buildings"), queryset=Building.objects.none(), required=False
    )
    unit = forms.ModelChoiceField(label=_("only this unit"), queryset=Unit.objects.none(), required=False)
    closes_at = forms.DateTimeField(label=_("closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    # the topic whose 业主表决 step this is (actions.check_topic: its compound, its notice's 15 days)
    topic = forms.ModelChoiceField(label=_("topic"), queryset=Topic.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = (
            Topic.objects.restrict(user, "manage")
            .filter(status=Topic.Status.ACCEPTED, procedure__steps__rule=StepRule.OWNER_VOTE)
            .distinct()
        )
        self.fields["compound"].queryset = Compound.objects.restrict(user, "manage", domain="votes")
        self.fields["buildings"].queryset = Building.objects.restrict(user, "manage", domain="votes").select_related(
            "compound"
        )
        self.fields["unit"].queryset = Unit.objects.restrict(user, "manage", domain="votes").select_related(
            "building__compound"
        )
        style(self)


UNREADABLE = _("The ballot could not be read.")


class BallotForm(forms.Form):
    """A ballot entered by staff from paper: the elector (by id), the choice and the paper's
    reference (actions.cast judges the choice and the vote's state)."""

    elector = IdField(
        error_messages={"required": UNREADABLE, "invalid": UNREADABLE, "min_value": UNREADABLE, "max_value": UNREADABLE}
    )
    choice = forms.CharField(required=False)
    paper_reference = forms.CharField(required=False)

    def clean_paper_reference(self):
        return self.cleaned_data["paper_reference"][:40]  # the column's length, as the paper numbers are written


class TopicForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=120)
    description = forms.CharField(label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    community = forms.ModelChoiceField(label=_("community"), queryset=Community.objects.none())
    compound = forms.ModelChoiceField(label=_("compound"), queryset=Compound.objects.none(), required=False)
    scale = forms.ChoiceField(label=_("scale"), choices=Topic.Scale.choices)
    procedure = forms.ModelChoiceField(label=_("procedure"), queryset=Procedure.objects.all())
    matter = forms.TypedChoiceField(
        label=_("matter of the owners' vote"),
        choices=[("", "—"), *Matter.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Only for a procedure with an owners' vote (Civil Code art. 278)."),
    )
    cases = ModelMultipleChoiceField(
        label=_("source requests"), queryset=Case.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user, case_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.restrict(user, "manage", domain="votes")
        self.fields["compound"].queryset = Compound.objects.restrict(user, "manage", domain="votes")
        # the requests offered are those selected on the request list (GET) or posted back
        ids = list(case_ids) or (self.data.getlist("cases") if hasattr(self.data, "getlist") else [])
        self.fields["cases"].queryset = (
            Case.objects.restrict(user, "dispatch").filter(pk__in=ids).select_related("category")
        )
        preselect_only_choice(self, "community")
        style(self, skip=("cases",))


class ResidentTopicForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=120, widget=forms.TextInput(attrs={"class": "form-control"}))
    description = forms.CharField(
        label=_("description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"})
    )


# --- the inputs of the topic's moves (workflow.TOPIC) --------------------------------------------


class DeclineForm(MoveForm):
    """不予立项: the proposer reads the reason."""

    reason = forms.CharField(
        label=_("reason for declining"), max_length=300, error_messages={"required": _("Tell the proposer why.")}
    )


COUNT_MAX = 2**31 - 1  # what a PositiveIntegerField holds on every database


def count_field(label):
    return forms.IntegerField(label=label, min_value=0, max_value=COUNT_MAX, required=False)


class StepForm(MoveForm):
    """完成一步: the record of the next step of the procedure, with the figures its rule judges.
    `step`, when given, is the step the screen showed: steps are taken in order."""

    step = IdField(label=_("step"), required=False)
    note = forms.CharField(
        label=_("record"), max_length=4000, error_messages={"required": _("Write what was done or decided.")}
    )
    eligible = count_field(_("members or residents due to attend"))
    present = count_field(_("present"))
    approving = count_field(_("approving"))
    owner_vote = forms.ModelChoiceField(label=_("owners' vote"), queryset=OwnerVote.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.actor is not None:  # a vote the actor may read; the step's rule judges it
            self.fields["owner_vote"].queryset = OwnerVote.objects.restrict(self.actor)


class ActionItemForm(MoveForm):
    """决议事项: 事项, 责任单位, 责任人, 措施, 时限, and the place it concerns (its grid handles the work
    order); it becomes a work order (a category for its SLA), decided at one of the topic's meetings
    or not."""

    matter = forms.CharField(label=_("Item"), max_length=120, error_messages={"required": _("Name the item.")})
    organisation = forms.ModelChoiceField(
        label=_("Responsible organisation"),
        queryset=Organisation.objects.none(),
        error_messages={"required": _("Choose who handles it."), "invalid_choice": _("Choose who handles it.")},
    )
    responsible = forms.CharField(
        label=_("Person responsible"),
        max_length=50,
        error_messages={"required": _("Name the person responsible (and their post).")},
    )
    category = forms.ModelChoiceField(label=_("category"), queryset=Category.objects.filter(active=True, children=None))
    measure = forms.CharField(
        label=_("Measure"), max_length=2000, error_messages={"required": _("Describe the measure.")}
    )
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        error_messages={"required": _("Give a deadline in the future.")},
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    building = forms.ModelChoiceField(label=_("building"), queryset=Building.objects.none(), required=False)
    grid = forms.ModelChoiceField(label=_("grid"), queryset=Grid.objects.none(), required=False)
    meeting = forms.ModelChoiceField(label=_("Decided at"), queryset=Meeting.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        topic = self.obj
        if topic is not None:  # an organisation of the topic's sub-district; a place and a meeting of the topic
            self.fields["organisation"].queryset = Organisation.objects.filter(subdistrict_id=topic.subdistrict_id)
            buildings = Building.objects.filter(compound__community_id=topic.community_id)
            if topic.compound_id:
                buildings = buildings.filter(compound_id=topic.compound_id)
            self.fields["building"].queryset = buildings.select_related("grid", "compound")
            self.fields["grid"].queryset = Grid.objects.filter(community_id=topic.community_id)
            self.fields["meeting"].queryset = topic.meetings.all()

    def clean(self):
        building, grid = self.cleaned_data.get("building"), self.cleaned_data.get("grid")
        if building is not None and grid is not None and building.grid_id != grid.pk:
            self.add_error("grid", _("The building is in the grid %(grid)s.") % {"grid": building.grid})
        return self.cleaned_data

    def clean_deadline(self):
        if self.cleaned_data["deadline"] <= timezone.now():
            raise forms.ValidationError(_("Give a deadline in the future."))
        return self.cleaned_data["deadline"]


SCORE = _("Give a score from 1 to 5.")


class EvaluateForm(MoveForm):
    """评事: a score from 1 to 5 and a comment; staff may record a telephone call-back."""

    score = forms.IntegerField(
        label=_("score"),
        min_value=1,
        max_value=5,
        error_messages={"required": SCORE, "invalid": SCORE, "min_value": SCORE, "max_value": SCORE},
    )
    comment = forms.CharField(label=_("comment"), max_length=300, required=False)
    by_callback = forms.BooleanField(label=_("telephone call-back"), required=False)


class OutcomeForm(MoveForm):
    """实施结果公开: the outcome for the community board (no personal data)."""

    outcome = forms.CharField(
        label=_("Outcome for the community board"),
        max_length=4000,
        error_messages={"required": _("Describe what was decided and done.")},
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
    )


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("title"), max_length=120)
    community = forms.ModelChoiceField(label=_("community"), queryset=Community.objects.none())
    compound = forms.ModelChoiceField(label=_("compound"), queryset=Compound.objects.none(), required=False)
    starts_at = forms.DateTimeField(label=_("starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    location = forms.CharField(label=_("location"), max_length=120)
    topics = ModelMultipleChoiceField(
        label=_("agenda"), queryset=Topic.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.restrict(user, "manage", domain="votes")
        self.fields["compound"].queryset = Compound.objects.restrict(user, "manage", domain="votes")
        self.fields["topics"].queryset = Topic.objects.restrict(user, "manage").filter(status=Topic.Status.ACCEPTED)
        preselect_only_choice(self, "community")
        style(self, skip=("topics",))


class ConsentForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=120)
    compound = forms.ModelChoiceField(label=_("compound"), queryset=Compound.objects.none())
    buildings = ModelMultipleChoiceField(
        label=_("only these buildings"), queryset=Building.objects.none(), required=False
    )
    threshold_percent = forms.IntegerField(label=_("threshold (%)"), min_value=1, max_value=100, initial=80)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = Compound.objects.restrict(user, "manage", domain="votes")
        self.fields["buildings"].queryset = Building.objects.restrict(user, "manage", domain="votes").select_related(
            "compound"
        )
        style(self)

    def clean(self):
        data = super().clean()
        if data.get("compound") and any(b.compound_id != data["compound"].pk for b in data.get("buildings") or []):
            self.add_error("buildings", _("The buildings must be in the compound."))
        return data


class ProcedureForm(forms.Form):
    """A new procedure (administrators): a unique name and a description."""

    name = forms.CharField(label=_("name"), max_length=60, error_messages={"required": _("Give the procedure a name.")})
    description = forms.CharField(label=_("description"), max_length=300, required=False)

    def clean_name(self):
        name = self.cleaned_data["name"]
        if Procedure.objects.filter(name=name).exists():
            raise forms.ValidationError(_("A procedure with this name exists."))
        return name


NAME_AND_RULE = {
    "required": _("Give the step a name and a rule."),
    "invalid_choice": _("Give the step a name and a rule."),
}
LEAD_DAYS = _("Days before the next step: 0 to 365.")


class ProcedureStepForm(forms.Form):
    """One more step at the end of a procedure (its `procedure` field is the procedure's id)."""

    name = forms.CharField(label=_("Step name"), max_length=60, error_messages=NAME_AND_RULE)
    rule = forms.ChoiceField(label=_("requires"), choices=StepRule.choices, error_messages=NAME_AND_RULE)
    lead_days = forms.IntegerField(
        label=_("days before the next step"),
        min_value=0,
        max_value=365,
        required=False,
        error_messages={"invalid": LEAD_DAYS, "min_value": LEAD_DAYS, "max_value": LEAD_DAYS},
    )
    needs_hearing_if_major = forms.BooleanField(label=_("major matters need a hearing first"), required=False)

    def clean_lead_days(self):
        return self.cleaned_data["lead_days"] or 0


# --- the inputs of the meeting's moves (workflow.MEETING) ------------------------------------


class InviteForm(MoveForm):
    """邀请: a person for a party, or an organisation of the meeting's sub-district (its name is
    the party when none is given)."""

    organisation = forms.ModelChoiceField(label=_("organisation"), queryset=Organisation.objects.none(), required=False)
    party = forms.CharField(label=_("party"), max_length=80, required=False)
    name = forms.CharField(label=_("name"), max_length=50, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.obj is not None:
            self.fields["organisation"].queryset = Organisation.objects.filter(subdistrict_id=self.obj.subdistrict_id)

    def clean(self):
        data = super().clean()
        if data.get("organisation") is not None and not data.get("party"):
            data["party"] = data["organisation"].name
        if not self.errors and (not data.get("name") or not data.get("party")):
            raise forms.ValidationError(_("Give the participant's name and party."))
        return data


def invitations(form, name, **filters):
    """The field `name` chooses among the meeting's invitations (narrowed by `filters`)."""
    if form.obj is not None:
        form.fields[name].queryset = form.obj.invitations.filter(**filters)


class SignInForm(MoveForm):
    """签到 (by staff): one of the meeting's invitations."""

    invitation = forms.ModelChoiceField(label=_("participant"), queryset=Invitation.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        invitations(self, "invitation")


SPEAKER = _("Only a participant who signed in can speak.")


class OpinionForm(MoveForm):
    """发言: what a participant who signed in said, on a topic of the agenda or none."""

    speaker = forms.ModelChoiceField(
        label=_("speaker"),
        queryset=Invitation.objects.none(),
        error_messages={"required": SPEAKER, "invalid_choice": SPEAKER},
    )
    topic = forms.ModelChoiceField(
        label=_("topic"),
        queryset=Topic.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("The topic is not on this meeting's agenda.")},
    )
    text = forms.CharField(label=_("opinion"), max_length=4000, error_messages={"required": _("Write what was said.")})
    mode = forms.ChoiceField(
        label=_("format"),
        choices=Opinion.Mode.choices,
        initial=Opinion.Mode.IN_TURN,
        required=False,
        error_messages={"invalid_choice": _("Unknown format.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        invitations(self, "speaker", signed_in_at__isnull=False)
        if self.obj is not None:
            self.fields["topic"].queryset = self.obj.topics.all()

    def clean_mode(self):
        return self.cleaned_data["mode"] or Opinion.Mode.IN_TURN


def hands_field(label):
    return forms.IntegerField(label=label, min_value=0, max_value=COUNT_MAX, required=False)


class HandsForm(MoveForm):
    """举手表决: the question, its rule (blank: more than half), and the hands (blank: none)."""

    question = forms.CharField(
        label=_("question"), max_length=200, error_messages={"required": _("Write the question put to the vote.")}
    )
    rule = forms.ChoiceField(
        label=_("rule"), choices=HandVote.Rule.choices, initial=HandVote.Rule.MAJORITY, required=False
    )
    yes = hands_field(_("in favour"))
    no = hands_field(_("against"))
    abstain = hands_field(_("abstaining"))

    def clean_rule(self):
        return self.cleaned_data["rule"] or HandVote.Rule.MAJORITY

    def clean(self):
        data = super().clean()
        for name in ("yes", "no", "abstain"):
            if data.get(name) is None and name not in self.errors:
                data[name] = 0
        return data


class CloseForm(MoveForm):
    """结束会议: the conclusions — who does what by when."""

    minutes = forms.CharField(
        label=_("conclusions"),
        max_length=4000,
        error_messages={"required": _("Write the conclusions: who does what by when.")},
    )
    chair = forms.CharField(label=_("chaired by"), max_length=50, required=False)
    recorder = forms.CharField(label=_("recorded by"), max_length=50, required=False)
