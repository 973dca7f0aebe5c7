"""The forms of the party screens: each create form hands its values to an action; each move's
form (core.lifecycle.MoveForm) is posted by the screen and generates the API's request schema."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.forms import DatePicker, ScopedModelForm, preselect_only_choice, style
from linli.core.lifecycle import MoveForm
from linli.orgs.models import Kind, Organisation
from linli.people.models import ResidentPost
from linli.places.models import Building, Community, Unit

from .models import Agreement, MemberKind


def party_orgs(user, action="change"):
    return Organisation.objects.restrict(user, action, domain="party").filter(kind=Kind.PARTY)


class MemberForm(forms.Form):
    """A directly managed or floating member, added by the community: named by ID number."""

    id_number = forms.CharField(label=_("ID number"), max_length=18)
    kind = forms.ChoiceField(
        label=_("member kind"), choices=[c for c in MemberKind.choices if c[0] != MemberKind.IN_SERVICE]
    )
    home_org = forms.ModelChoiceField(label=_("party organisation in the community"), queryset=None, required=False)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_org"].queryset = party_orgs(user)
        style(self)


class ReportMemberForm(forms.Form):
    """双报到 of a member: the workplace's party organisation names them by ID number."""

    organisation = forms.ModelChoiceField(label=_("workplace party organisation"), queryset=None)
    id_number = forms.CharField(label=_("ID number"), max_length=18)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = party_orgs(user, "report")
        preselect_only_choice(self, "organisation")
        style(self)


class ReportOrganisationForm(forms.Form):
    """A party organisation (a partner's, a workplace's) reports itself to a community."""

    organisation = forms.ModelChoiceField(label=_("party organisation"), queryset=None)
    community = forms.ModelChoiceField(label=_("community"), queryset=Community.objects.order_by("name"))
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = party_orgs(user, "report")
        preselect_only_choice(self, "organisation")
        style(self)


class ClaimPostForm(forms.Form):
    """认岗: a member in the roster claims a post of their grid, with its duties and the year's
    commitment."""

    post = forms.ChoiceField(label=_("post"), choices=ResidentPost.Post.choices)
    building = forms.ModelChoiceField(label=_("building"), queryset=None, required=False)
    unit = forms.ModelChoiceField(label=_("unit"), queryset=None, required=False)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    duties = forms.CharField(label=_("duties"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    promise = forms.CharField(label=_("commitment"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        grid_id = member.grid_id if member else None
        self.fields["building"].queryset = Building.objects.filter(grid_id=grid_id)
        self.fields["unit"].queryset = Unit.objects.filter(building__grid_id=grid_id)
        style(self)


class AgreementForm(ScopedModelForm):
    class Meta:
        model = Agreement
        fields = ["partner", "community", "title", "starts_on", "ends_on", "community_commits", "partner_commits"]
        widgets = {
            "starts_on": DatePicker(),
            "ends_on": DatePicker(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.restrict(self.user, "change", domain="party")
        partners = Organisation.objects.restrict(self.user, "view").filter(kind=Kind.PARTNER)
        self.fields["partner"].queryset = partners
        preselect_only_choice(self, "community")


# --- the moves' inputs ---------------------------------------------------------------------------


class ConfirmForm(MoveForm):
    home_org = forms.ModelChoiceField(
        label=_("party organisation in the community"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Where the member takes part: a branch or group of the community."),
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        community = self.obj.community_id if self.obj else None
        self.fields["home_org"].queryset = Organisation.objects.filter(kind=Kind.PARTY, community_id=community)


class RefuseForm(MoveForm):
    reason = forms.CharField(label=_("reason"), max_length=200, help_text=_("Told to who reported."))


class CheckForm(MoveForm):
    """践诺: the year-end check; a note is needed unless the commitment was kept."""

    note = forms.CharField(label=_("note"), max_length=300, required=False)


class NotedCheckForm(MoveForm):
    note = forms.CharField(label=_("note"), max_length=300, help_text=_("What was not kept, and why."))


class SignForm(MoveForm):
    signed_on = forms.DateField(label=_("signed on"), widget=DatePicker())


class RenewForm(MoveForm):
    ends_on = forms.DateField(label=_("new term ends"), widget=DatePicker())
