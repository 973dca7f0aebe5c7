"""The forms of deliberation's screens: opening a vote, raising a topic, convening a meeting,
asking for consent, defining procedures. Ids come through linli.core.ids' fields, checked
before the ORM; the actions (actions.py, procedures.py, meetings.py) do the writing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.cases.models import Case
from linli.core.ids import ModelMultipleChoiceField
from linli.places.models import Building, Community, Compound, Unit

from .models import Matter, Meeting, Procedure, StepRule, Topic


def style(form, skip=()):
    """Bootstrap's classes on the widgets (the lists of checkboxes in `skip` keep none)."""
    for name, f in form.fields.items():
        if name not in skip:
            f.widget.attrs.setdefault("class", "form-select" if isinstance(f.widget, forms.Select) else "form-control")


class VoteForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=120)
    matter = forms.TypedChoiceField(label=_("matter"), choices=Matter.choices, coerce=int)
    compound = forms.ModelChoiceField(label=_("compound"), queryset=Compound.objects.none())
    buildings = ModelMultipleChoiceField(label=_("only these buildings"), queryset=Building.objects.none(), required=False)
    unit = forms.ModelChoiceField(label=_("only this unit"), queryset=Unit.objects.none(), required=False)
    closes_at = forms.DateTimeField(label=_("closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = Compound.objects.restrict(user, "manage", domain="votes")
        self.fields["buildings"].queryset = Building.objects.restrict(user, "manage", domain="votes").select_related("compound")
        self.fields["unit"].queryset = Unit.objects.restrict(user, "manage", domain="votes").select_related("building__compound")
        style(self)


class TopicForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=120)
    description = forms.CharField(label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    community = forms.ModelChoiceField(label=_("community"), queryset=None)
    compound = forms.ModelChoiceField(label=_("compound"), queryset=None, required=False)
    scale = forms.ChoiceField(label=_("scale"), choices=Topic.Scale.choices)
    procedure = forms.ModelChoiceField(label=_("procedure"), queryset=Procedure.objects.all())
    cases = ModelMultipleChoiceField(label=_("source requests"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user, case_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.restrict(user, "manage", domain="votes")
        self.fields["compound"].queryset = Compound.objects.restrict(user, "manage", domain="votes")
        # the requests offered are those selected on the request list (GET) or posted back
        ids = list(case_ids) or (self.data.getlist("cases") if hasattr(self.data, "getlist") else [])
        self.fields["cases"].queryset = Case.objects.restrict(user, "dispatch").filter(pk__in=ids).select_related("category")
        style(self, skip=("cases",))


class ResidentTopicForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=120, widget=forms.TextInput(attrs={"class": "form-control"}))
    description = forms.CharField(label=_("description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}))


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome for the community board"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}))


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("title"), max_length=120)
    community = forms.ModelChoiceField(label=_("community"), queryset=None)
    compound = forms.ModelChoiceField(label=_("compound"), queryset=None, required=False)
    starts_at = forms.DateTimeField(label=_("starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    location = forms.CharField(label=_("location"), max_length=120)
    topics = ModelMultipleChoiceField(label=_("agenda"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.restrict(user, "manage", domain="votes")
        self.fields["compound"].queryset = Compound.objects.restrict(user, "manage", domain="votes")
        self.fields["topics"].queryset = Topic.objects.restrict(user, "manage").filter(status=Topic.Status.ACCEPTED)
        style(self, skip=("topics",))


class ConsentForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=120)
    compound = forms.ModelChoiceField(label=_("compound"), queryset=None)
    buildings = ModelMultipleChoiceField(label=_("only these buildings"), queryset=None, required=False)
    threshold_percent = forms.IntegerField(label=_("threshold (%)"), min_value=1, max_value=100, initial=80)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = Compound.objects.restrict(user, "manage", domain="votes")
        self.fields["buildings"].queryset = Building.objects.restrict(user, "manage", domain="votes").select_related("compound")
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


NAME_AND_RULE = {"required": _("Give the step a name and a rule."), "invalid_choice": _("Give the step a name and a rule.")}
LEAD_DAYS = _("Days before the next step: 0 to 365.")


class ProcedureStepForm(forms.Form):
    """One more step at the end of a procedure (its `procedure` field is the procedure's id)."""

    name = forms.CharField(label=_("Step name"), max_length=60, error_messages=NAME_AND_RULE)
    rule = forms.ChoiceField(label=_("requires"), choices=StepRule.choices, error_messages=NAME_AND_RULE)
    lead_days = forms.IntegerField(label=_("days before the next step"), min_value=0, max_value=365, required=False,
                                   error_messages={"invalid": LEAD_DAYS, "min_value": LEAD_DAYS, "max_value": LEAD_DAYS})
    needs_hearing_if_major = forms.BooleanField(label=_("major matters need a hearing first"), required=False)

    def clean_lead_days(self):
        return self.cleaned_data["lead_days"] or 0
