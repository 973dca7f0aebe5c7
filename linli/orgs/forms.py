from django.utils.translation import gettext_lazy as _

from linli.core.forms import ScopedModelForm
from linli.places.models import Building, Community, Compound, Grid, Subdistrict

from .models import Organisation


class OrganisationForm(ScopedModelForm):
    class Meta:
        model = Organisation
        fields = [
            "kind",
            "name",
            "subdistrict",
            "community",
            "compound",
            "partner_category",
            "contact_name",
            "contact_phone",
            "party_level",
            "parent",
            "host",
            "grid",
            "building",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only places the user may change organisations in are offered.
        self.fields["subdistrict"].queryset = Subdistrict.objects.restrict(self.user, "change", domain="orgs")
        self.fields["community"].queryset = Community.objects.restrict(self.user, "change", domain="orgs")
        self.fields["compound"].queryset = Compound.objects.restrict(self.user, "change", domain="orgs")
        self.fields["grid"].queryset = Grid.objects.restrict(self.user, "change", domain="orgs")
        self.fields["building"].queryset = Building.objects.restrict(self.user, "change", domain="orgs")
        mine = Organisation.objects.restrict(self.user, "change")
        self.fields["parent"].queryset = mine.filter(kind="party")
        self.fields["host"].queryset = mine.exclude(kind="party")
        # Community staff register organisations in their community; its sub-district follows.
        self.fields["subdistrict"].required = False
        self.fields["subdistrict"].help_text = _("Leave empty when a community is chosen.")

    def clean(self):
        data = super().clean()
        if data.get("community"):
            data["subdistrict"] = data["community"].subdistrict
        elif not data.get("subdistrict") and "subdistrict" not in self.errors:
            self.add_error("subdistrict", _("Choose a sub-district or a community."))
        return data
