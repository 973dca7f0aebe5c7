from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from linli.core.forms import style
from linli.core.validators import validate_phone
from linli.orgs.models import Organisation
from linli.people.models import Household
from linli.places.models import Building, Community, Grid, House, Subdistrict, Unit

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


class NewPasswordForm(SetPasswordForm):
    """The new password twice, checked by the password validators (settings)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class ChangePasswordForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class AcceptInvitationForm(forms.Form):
    """An invited resident chooses a username and a password."""

    username = forms.CharField(
        label=_("username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @/./+/-/_ only; you sign in with it."),
    )
    password1 = forms.CharField(label=_("password"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("password again"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
        for name in ("password1", "password2"):
            self.fields[name].widget.attrs["autocomplete"] = "new-password"

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken. Choose another."))
        return username

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(p1, User(username=data.get("username", "")))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class RegistrationForm(AcceptInvitationForm):
    """A resident's own registration: who, their phone and their house, and the login."""

    name = forms.CharField(label=_("your name"), max_length=50)
    phone = forms.CharField(
        label=_("mobile phone"), max_length=20, validators=[validate_phone], widget=forms.TextInput({"type": "tel"})
    )
    community = forms.ModelChoiceField(label=_("community"), queryset=Community.objects.all())
    building = forms.CharField(label=_("building"), max_length=50, help_text=_("As in the ledger, e.g. Building 1."))
    unit = forms.CharField(label=_("unit"), max_length=50, help_text=_("As in the ledger, e.g. Unit 1."))
    number = forms.CharField(label=_("house number"), max_length=20, help_text=_("e.g. 301"))

    field_order = ["name", "phone", "community", "building", "unit", "number", "username", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"

    def clean_username(self):
        # not looked up: the answer must not tell whether a login has this name (docs/security.md);
        # a taken one is the grid worker's to resolve on confirming (accounts/workflow.py)
        return self.cleaned_data["username"]

    def clean(self):
        data = super().clean()
        parts = [data.get(k) for k in ("community", "building", "unit", "number")]
        if all(parts):
            data["house"] = House.objects.filter(
                community=parts[0],
                building__name=parts[1].strip(),
                unit__name=parts[2].strip(),
                number=parts[3].strip(),
            ).first()
            if data["house"] is None:
                self.add_error(
                    "number", _("There is no such house in this community. Check the building, unit and number.")
                )
        return data
