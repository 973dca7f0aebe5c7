"""The forms of the fund screens: each create form hands its values to an action; each move's
form (core.lifecycle.MoveForm) is posted by the screen and generates the API's request schema.
Amounts are entered in yuan and cleaned to fen (money.YuanField)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.forms import DatePicker, preselect_only_choice, style
from linli.core.ids import ModelMultipleChoiceField
from linli.core.lifecycle import MoveForm
from linli.ledger.forms import ImportForm as LedgerImportForm
from linli.places.models import Building, Compound, Unit

from .actions import MANUAL_KINDS
from .models import Emergency, Fund
from .money import YuanField


class OpenFundForm(forms.Form):
    compound = forms.ModelChoiceField(label=_("compound"), queryset=None)
    bank = forms.CharField(label=_("fund bank"), max_length=60, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = Compound.objects.restrict(user, "change", domain="funds").order_by(
            "sort_key"
        )
        preselect_only_choice(self, "compound")
        style(self)


class EntryForm(forms.Form):
    """A first deposit, an opening balance, interest or a top-up of one house."""

    kind = forms.ChoiceField(label=_("kind"), choices=[(k.value, k.label) for k in MANUAL_KINDS])
    amount = YuanField(label=_("amount (yuan)"))
    booked_on = forms.DateField(label=_("value date"), widget=DatePicker())
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"booked_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        style(self)


class ReverseForm(forms.Form):
    booked_on = forms.DateField(label=_("value date"), widget=DatePicker())
    note = forms.CharField(label=_("reason"), max_length=200)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"booked_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        style(self)


class ImportForm(LedgerImportForm):
    """The fund bank's file: an xlsx within the ledger import's bounds (ledger.forms)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = _("The fund bank's file (.xlsx)")


class UseForm(forms.Form):
    """A use proposed: the houses concerned (the whole compound, some buildings or one unit), the
    budget, and for an emergency (R2.4) its kind."""

    fund = forms.ModelChoiceField(label=_("fund"), queryset=None)
    title = forms.CharField(label=_("title"), max_length=100)
    description = forms.CharField(label=_("description"), max_length=2000, required=False, widget=forms.Textarea)
    emergency = forms.ChoiceField(
        label=_("emergency"),
        choices=[("", _("No: the owners vote"))] + list(Emergency.choices),
        required=False,
        help_text=_("An emergency skips the owners' vote; the approvals still apply and the use is published after."),
    )
    buildings = ModelMultipleChoiceField(label=_("only these buildings"), queryset=None, required=False)
    unit = forms.ModelChoiceField(label=_("only this unit"), queryset=None, required=False)
    budget = YuanField(label=_("budget (yuan)"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        funds = Fund.objects.restrict(user, "change").select_related("compound")
        self.fields["fund"].queryset = funds
        compounds = funds.values("compound_id")
        self.fields["buildings"].queryset = Building.objects.filter(compound_id__in=compounds)
        self.fields["unit"].queryset = Unit.objects.filter(compound_id__in=compounds).select_related("building")
        preselect_only_choice(self, "fund")
        style(self)


# --- the moves of a use -------------------------------------------------------------------------


class NoteForm(MoveForm):
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class ReasonForm(MoveForm):
    note = forms.CharField(label=_("reason"), max_length=200)


class VoteForm(MoveForm):
    closes_at = forms.DateTimeField(
        label=_("the vote closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class WorksForm(MoveForm):
    contractor = forms.CharField(label=_("contractor"), max_length=100)
    works_started_on = forms.DateField(label=_("works started on"), widget=DatePicker())


class PaymentRequestForm(MoveForm):
    invoice_total = YuanField(label=_("invoice total (yuan)"))
    invoice_reference = forms.CharField(label=_("invoice reference"), max_length=60)
    works_finished_on = forms.DateField(label=_("works finished on"), widget=DatePicker())


class PayForm(MoveForm):
    booked_on = forms.DateField(label=_("value date"), widget=DatePicker())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"booked_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
