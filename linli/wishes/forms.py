"""The forms of the wish screens: posting a wish (a resident for their household, staff on behalf
of one), the community's policy, and each move's input (core.lifecycle.MoveForm), which the screen
posts and the API's request schema is generated from. Money is entered in 元 and kept in fen."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.cases.forms import PhotoField
from linli.core.forms import style
from linli.core.lifecycle import MoveForm
from linli.core.scope import scope_for
from linli.orgs.models import Kind, Organisation
from linli.party.models import PartyMember
from linli.people.models import Household, Person

from .models import Category, ClaimantKind, Credit, WishPolicy


class YuanField(forms.DecimalField):
    """An amount in 元 with at most two decimals, cleaned to an integer number of fen."""

    def __init__(self, **kw):
        kw.setdefault("min_value", Decimal("0"))  # a visit may cost nothing
        kw.setdefault("max_digits", 9)
        kw.setdefault("decimal_places", 2)
        super().__init__(**kw)

    def clean(self, value):
        yuan = super().clean(value)
        return None if yuan is None else int(yuan * 100)


class WishForm(forms.Form):
    """A resident's wish for their own household."""

    title = forms.CharField(label=_("wish"), max_length=40, help_text=_("What is wished, e.g. a school bag."))
    story = forms.CharField(
        label=_("about the wish"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the wish wall: no names, house numbers or phone numbers."),
    )
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    value = YuanField(label=_("value (元)"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class OnBehalfForm(WishForm):
    """Staff post a wish on behalf of a household of their community (e.g. a needy household)."""

    household = forms.ModelChoiceField(label=_("household"), queryset=Household.objects.none())
    wisher = forms.ModelChoiceField(label=_("wisher"), queryset=Person.objects.none(), required=False)

    field_order = ["household", "wisher", "title", "story", "category", "value"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        households = Household.objects.restrict(user, "manage", domain="wishes").select_related("house__unit__building")
        self.fields["household"].queryset = households
        self.fields["wisher"].queryset = Person.objects.restrict(user, "manage", domain="wishes")
        self.fields["wisher"].label_from_instance = lambda p: p.name
        style(self)


class PolicyForm(forms.ModelForm):
    max_value = YuanField(label=_("value limit (元)"))

    class Meta:
        model = WishPolicy
        fields = ["deliver_days", "unclaimed_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["max_value"].initial = Decimal(self.instance.max_value_fen) / 100
        for name in ("deliver_days", "unclaimed_days"):
            self.fields[name].min_value = 1
            self.fields[name].widget.attrs["min"] = 1
        self.order_fields(["max_value", "deliver_days", "unclaimed_days"])
        style(self)


# --- the moves' inputs ---------------------------------------------------------------------------


class ApproveForm(MoveForm):
    """The text as it will be published: staff may rewrite it (anonymise) before publishing."""

    title = forms.CharField(label=_("wish"), max_length=40, required=False)
    story = forms.CharField(
        label=_("about the wish"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.obj is not None and not self.is_bound:
            self.initial.update(title=self.obj.title, story=self.obj.story)
        self.fields["title"].help_text = _("Leave empty to keep the text as posted.")


class ReasonForm(MoveForm):
    reason = forms.CharField(label=_("reason"), max_length=200, help_text=_("Told to the household."))


class OptionalReasonForm(MoveForm):
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class ClaimForm(MoveForm):
    """Who claims: a party member of the roster (双报到), a partner (its staff), or the user as a
    volunteer; and how the board names them."""

    as_kind = forms.ChoiceField(label=_("claim as"), choices=ClaimantKind.choices)
    member = forms.ModelChoiceField(
        label=_("party member"),
        queryset=PartyMember.objects.none(),
        required=False,
        help_text=_("A member in the community's roster: yourself or one of your household."),
    )
    organisation = forms.ModelChoiceField(label=_("partner"), queryset=Organisation.objects.none(), required=False)
    credit = forms.ChoiceField(label=_("named on the board"), choices=Credit.choices, initial=Credit.ANONYMOUS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        community = self.obj.community_id if self.obj else None
        members = PartyMember.objects.filter(community_id=community, in_roster=True).select_related("person")
        partners = Organisation.objects.filter(kind=Kind.PARTNER, community_id=community)
        if not (self.obj is not None and self.obj.allows(self.actor, "manage")):
            # party membership is personal data: a resident is offered only their own household's
            # members, partner staff only their own organisation
            scope = scope_for(self.actor, "wishes.claim").ids
            members = members.filter(person__household_id__in=sorted(scope.get("household", ())))
            partners = partners.filter(pk__in=sorted(scope.get("organisation", ())))
        self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = lambda m: m.person.name
        self.fields["organisation"].queryset = partners


class ConfirmForm(MoveForm):
    """The delivery, confirmed by the household or the community, with a photo (EXIF removed)."""

    photo = PhotoField(label=_("Photo of the delivery"), required=True)
    note = forms.CharField(label=_("note"), max_length=200, required=False)
