"""The lifecycle of a resident's registration (注册申请): pending until the grid worker of the
house's grid confirms it against the ledger (naming the registered person, whose household the
resident role is then granted on) or rejects it. Declared once; performed by Lifecycle.perform."""

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linli.core.lifecycle import Lifecycle, Move, MoveForm
from linli.people.models import Person

from .models import Registration, RoleAssignment, User
from .roles import Role

State = Registration.State


class ConfirmForm(MoveForm):
    person = forms.ModelChoiceField(
        label=_("registered person"),
        queryset=Person.objects.none(),
        help_text=_("The member of this house's household in the ledger who registered."),
    )

    username = forms.CharField(
        label=_("username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("The one the resident chose; if it is taken, choose another and tell the resident by phone."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        house_id = self.obj.house_id if self.obj else None
        self.fields["person"].queryset = Person.objects.filter(household__house_id=house_id).order_by("id")
        if self.obj is not None:
            self.fields["username"].initial = self.obj.username

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                gettext("This username is taken. Choose another and tell the resident by phone."), code="taken"
            )
        return username


class RejectForm(MoveForm):
    note = forms.CharField(label=_("reason"), max_length=200, help_text=_("Told to the resident."))


def _confirm(ctx):
    """The login is made now, with the username (the resident's choice, or the grid worker's where
    it was taken) and the password the resident chose (its hash, moved from the registration)."""
    reg, person = ctx.obj, ctx.data["person"]
    user = User(username=ctx.data["username"], display_name=reg.name, password=reg.password)
    ctx.save(user)
    reg.user, reg.person, reg.username, reg.password = user, person, user.username, ""
    ctx.save(RoleAssignment(user=reg.user, role=Role.RESIDENT, household=person.household))
    ctx.changes["role"] = [None, f"{Role.RESIDENT.label} · {person.household}"]
    ctx.notify([reg.user], gettext("Your registration is confirmed: you can now see your household."), url="/")


def _reject(ctx):
    """No login was made: the resident reads the reason when signing in with the username and
    password they chose (accounts.actions.registration_status)."""
    ctx.obj.reason = ctx.data["note"]


REGISTRATION = Lifecycle(
    Registration,
    [
        Move(
            "confirm",
            _("Confirm"),
            (State.PENDING,),
            State.CONFIRMED,
            "people.change",
            ConfirmForm,
            effect=_confirm,
            style="success",
        ),
        Move(
            "reject",
            _("Reject"),
            (State.PENDING,),
            State.REJECTED,
            "people.change",
            RejectForm,
            effect=_reject,
            style="outline-danger",
        ),
    ],  # fmt: skip
    start=(State.PENDING, _("a resident registers")),
    doc="security.md",
)
