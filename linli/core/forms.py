from django import forms


def widget_class(widget) -> str:
    """Bootstrap's class for a widget: a check box or radio button, a select, or a text control."""
    if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
        return "form-check-input"
    return "form-select" if isinstance(widget, forms.Select) else "form-control"


def style(form, skip=()):
    """Bootstrap's class on every widget of `form` that has none (fields named in `skip` keep none:
    lists of check boxes a template draws itself)."""
    for name, field in form.fields.items():
        if name not in skip:
            field.widget.attrs.setdefault("class", widget_class(field.widget))


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
