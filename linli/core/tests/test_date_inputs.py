"""Date pickers (`<input type="date">`) carry ISO dates: a browser shows nothing for the Chinese
locale's first input format (2026/12/08), so a date field's initial value (today, on most move
forms) would be lost and the form refused as empty."""

import datetime as dt

from django import forms
from django.utils import translation

from linli.core.forms import style


class _Form(forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), initial=dt.date(2026, 12, 8))
    plain = forms.DateField(widget=forms.DateInput(), initial=dt.date(2026, 12, 8))


def test_a_styled_date_picker_renders_its_value_as_an_iso_date():
    with translation.override("zh-hans"):
        unstyled = str(_Form()["day"])
        form = _Form()
        style(form)
        assert 'value="2026-12-08"' in str(form["day"])
        assert 'value="2026-12-08"' not in unstyled  # what the locale alone would write
        assert 'value="2026-12-08"' not in str(form["plain"])  # a text field keeps the locale's format
