import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .masking import mask_phone


class DatePicker(forms.DateInput):
    """The browser's date picker (`type="date"`), given its value as an ISO date: it shows nothing
    for the locale's 2026/12/08, which a plain DateInput would render."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def widget_class(widget) -> str:
    """Bootstrap's class for a widget: a check box or radio button, a select, or a text control."""
    if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
        return "form-check-input"
    return "form-select" if isinstance(widget, forms.Select) else "form-control"


def style(form, skip=()):
    """Bootstrap's class on every widget of `form` that has none (fields named in `skip` keep none:
    lists of check boxes a template draws itself). A date picker (`type="date"`) gets its value as
    an ISO date: the browser shows nothing for the locale's 2026/12/08."""
    for name, field in form.fields.items():
        if name not in skip:
            field.widget.attrs.setdefault("class", widget_class(field.widget))
        if isinstance(field.widget, forms.DateInput) and field.widget.input_type == "date":
            field.widget.format = "%Y-%m-%d"


def preselect_only_choice(form, name):
    """The field `name` starts on its one choice when its queryset offers exactly one (a community
    staff member's own community): nobody should have to pick the only option."""
    field = form.fields[name]
    if form.is_bound or form.initial.get(name) is not None:
        return
    rows = list(field.queryset[:2])
    if len(rows) == 1:
        form.initial[name] = rows[0].pk


class ScopedModelForm(forms.ModelForm):
    """A ModelForm that knows the user (to restrict its choices) and hands its values to the
    audited actions instead of saving itself."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        style(self)

    def _post_clean(self):
        # Model validation runs in the action (full_clean inside the transaction); here we only
        # build the instance so clean_<field> methods can look at it.
        opts = self._meta
        self.instance = forms.models.construct_instance(self, self.instance, opts.fields, opts.exclude)

    def changed_values(self, all_fields=False):
        names = [n for n in self.cleaned_data if n in self._meta.fields and not self._is_m2m(n)]
        return {n: self.cleaned_data[n] for n in names if all_fields or n in self.changed_data}

    def _is_m2m(self, name):
        return any(f.name == name for f in self._meta.model._meta.many_to_many)

    def m2m_values(self):
        """Many-to-many values (tags), set by the action once the row exists."""
        return {n: self.cleaned_data[n] for n in self.cleaned_data if self._is_m2m(n)}


class NotificationPreferenceForm(forms.Form):
    """通知方式: the channels besides the in-app list. The saved phone is never shown in full:
    the field is empty, its help names the masked number, and left empty it keeps it."""

    email = forms.BooleanField(label=_("by e-mail"), required=False)
    sms = forms.BooleanField(label=_("by SMS"), required=False)
    phone = forms.CharField(label=_("mobile phone for SMS"), max_length=20, required=False)
    digest = forms.BooleanField(
        label=_("daily digest"),
        required=False,
        help_text=_("One e-mail each morning with the previous day's unread messages."),
    )

    def __init__(self, *args, saved_phone="", **kwargs):
        super().__init__(*args, **kwargs)
        self.saved_phone = saved_phone
        if saved_phone:
            self.fields["phone"].help_text = _("Now %(phone)s; leave empty to keep it.") % {
                "phone": mask_phone(saved_phone)
            }
        style(self)

    def clean_phone(self):
        phone = re.sub(r"\s", "", self.cleaned_data["phone"])
        if phone and not re.fullmatch(r"1\d{10}", phone):
            raise forms.ValidationError(_("Enter an 11-digit mobile number starting with 1."))
        return phone or None

    def clean(self):
        data = super().clean()
        if data.get("sms") and not (data.get("phone") or self.saved_phone) and "phone" not in self.errors:
            self.add_error("phone", _("Give the mobile phone that receives the SMS."))
        return data
