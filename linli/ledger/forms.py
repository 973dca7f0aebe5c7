import zipfile

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Ledger file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control"}),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel .xlsx file (save older .xls files as .xlsx first)."))
        if f.size > settings.LINLI_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(max)s.") % {"max": filesizeformat(settings.LINLI_IMPORT_MAX_BYTES)}
            )
        if not zipfile.is_zipfile(f):  # reads the zip's end record only; the sheet is read by the job
            raise forms.ValidationError(_("This is not an Excel .xlsx file."))
        f.seek(0)
        return f
