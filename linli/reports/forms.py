from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.forms import style

from . import places
from .periods import Period


class PeriodicForm(forms.Form):
    """A periodic report: a place in the user's scope and a calendar period. A place outside
    the scope is not offered; one sent anyway is answered 404 by the view (places.resolve)."""

    place = forms.ChoiceField(label=_("Place"))
    kind = forms.ChoiceField(
        label=_("Period"), choices=[("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year"))]
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    number = forms.IntegerField(
        label=_("Month or quarter"),
        min_value=1,
        max_value=12,
        required=False,
        help_text=_("The month (1–12) or the quarter (1–4); left empty for a year."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.places = places.available(user, places.PERIODIC)
        self.fields["place"].choices = [(p.value, p.name) for p in self.places]
        this = timezone.localdate().year
        self.fields["year"].choices = [(y, str(y)) for y in range(this, this - 10, -1)]
        style(self)

    def clean(self):
        data = super().clean()
        kind, number = data.get("kind"), data.get("number")
        if kind == "year":
            data["number"] = 1
        elif kind and number is None:
            self.add_error("number", _("Choose the month or the quarter."))
        elif kind == "quarter" and number is not None and number > 4:
            self.add_error("number", _("A quarter is 1 to 4."))
        return data

    def period(self) -> Period:
        d = self.cleaned_data
        return Period(d["kind"], d["year"], d["number"])


class ProblemsForm(forms.Form):
    place = forms.ChoiceField(label=_("Grid or community"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.places = places.available(user, places.PROBLEMS)
        self.fields["place"].choices = [(p.value, p.name) for p in self.places]
        style(self)


class CoBuildingForm(forms.Form):
    """The 党建共建 figures: a place in the user's scope and, for the events, a year or all time."""

    place = forms.ChoiceField(label=_("Place"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.places = places.available(user, places.PERIODIC)
        self.fields["place"].choices = [(p.value, p.name) for p in self.places]
        this = timezone.localdate().year
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in range(this, this - 10, -1)]
        style(self)
