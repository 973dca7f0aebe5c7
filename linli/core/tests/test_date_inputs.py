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


def _form_classes():
    import importlib
    import pkgutil

    import linli

    for module in pkgutil.walk_packages(linli.__path__, "linli."):
        if (module.name.endswith(("forms", "views", "settings_views")) or ".forms." in module.name) and (
            ".tests" not in module.name
        ):
            importlib.import_module(module.name)
    seen, todo = set(), [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return [c for c in seen if c.__module__.startswith("linli.") and ".tests" not in c.__module__]


def test_every_date_picker_of_the_application_is_the_iso_one():
    """A form that is not styled (or styles itself) still gives its date picker an ISO value."""
    from linli.core.forms import DatePicker

    pickers = {
        f"{cls.__module__}.{cls.__name__}.{name}": field.widget
        for cls in _form_classes()
        for name, field in cls.base_fields.items()
        if getattr(field.widget, "input_type", None) == "date"
    }
    assert len(pickers) >= 20  # funds, projects, facilities, party, the calendar …
    wrong = [name for name, widget in pickers.items() if not isinstance(widget, DatePicker)]
    assert wrong == []
    with translation.override("zh-hans"):
        assert 'value="2026-12-08"' in DatePicker().render("day", dt.date(2026, 12, 8))
