from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from linli.core.forms import style
from linli.orgs.models import Organisation
from linli.people.models import Household
from linli.places.models import Building, Community, Grid, Subdistrict, Unit

from .models import User
from .roles import ROLE_LEVEL, Role

LEVEL_MODELS = {
    "subdistrict": Subdistrict,
    "community": Community,
    "grid": Grid,
    "building": Building,
    "unit": Unit,
    "household": Household,
    "organisation": Organisation,
}


class GrantRoleForm(forms.Form):
    """Grant a role on a place inside the granting user's accounts.change scope; creates the
    login if the username is new."""

    username = forms.CharField(label=_("username"), max_length=150)
    display_name = forms.CharField(label=_("display name"), max_length=50, required=False)
    password = forms.CharField(
        label=_("initial password"),
        required=False,
        widget=forms.PasswordInput,
        help_text=_("Only for a new login."),
    )
    role = forms.ChoiceField(label=_("role"), choices=Role.choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.scope_for("accounts.change").everything:
            self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.ADMIN]
        for level, model in LEVEL_MODELS.items():
            qs = model.objects.restrict(user, "change", domain="accounts")
            widget = (
                forms.NumberInput(attrs={"class": "form-control"})
                if level == "household"
                else forms.Select(attrs={"class": "form-select"})
            )
            self.fields[level] = forms.ModelChoiceField(
                label=model._meta.verbose_name, queryset=qs, required=False, widget=widget
            )
        style(self)
        self.fields["household"].help_text = _("The household number shown on the household's page.")

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if not role:
            return data
        level = ROLE_LEVEL[Role(role)]
        if level and not data.get(level) and level not in self.errors:
            self.add_error(level, _("Choose where this role applies."))
        data["existing"] = User.objects.filter(username=data.get("username")).first()
        if data.get("username") and not data["existing"]:
            if not data.get("password"):
                self.add_error("password", _("A new login needs an initial password."))
            else:
                try:
                    password_validation.validate_password(data["password"], User(username=data["username"]))
                except forms.ValidationError as exc:
                    self.add_error("password", exc)
        data["place"] = {level: data.get(level)} if level else {}
        return data


class OtpForm(forms.Form):
    """The second factor: six digits from the authenticator app, or a backup code."""

    otp_token = forms.CharField(
        label=_("Authentication code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"class": "form-control", "autocomplete": "one-time-code", "autofocus": True, "inputmode": "numeric"}
        ),
    )


class Open311KeyForm(forms.Form):
    name = forms.CharField(
        label=_("name"),
        max_length=80,
        help_text=_("Who uses it, e.g. the 12345 hotline system."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    username = forms.CharField(
        label=_("acts as (username)"),
        max_length=150,
        help_text=_("The key reads and files requests with this user's roles and scope."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def clean_username(self):
        user = User.objects.filter(username=self.cleaned_data["username"], is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("There is no active user with this username."))
        return user
