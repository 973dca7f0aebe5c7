"""The export of the facility register (core.exports): the columns the list shows, and the
register's fields behind them; for those who watch the facilities (facilities.monitor)."""

from django.utils.translation import gettext_lazy as _

from linli.core.exports import Column, Export, display

FACILITIES = Export(
    name="facilities",
    label=_("Facilities"),
    perm="facilities.monitor",
    select=("compound", "building", "unit", "maintainer"),
    columns=(
        Column(_("name"), lambda f: f.name),
        Column(_("kind"), display("kind")),
        Column(_("register number"), lambda f: f.code),
        Column(_("compound"), lambda f: f.compound.name),
        Column(_("building"), lambda f: f.building.name if f.building_id else ""),
        Column(_("unit"), lambda f: f.unit.name if f.unit_id else ""),
        Column(_("location"), lambda f: f.location),
        Column(_("installed on"), lambda f: f.installed_on),
        Column(_("maintained by"), lambda f: f.maintainer.name if f.maintainer_id else ""),
        Column(_("warranty ends"), lambda f: f.warranty_ends),
        Column(_("inspection due"), lambda f: f.inspection_due),
        Column(_("last inspected on"), lambda f: f.last_inspected_on),
        Column(_("condition"), display("condition")),
        Column(_("state"), display("state")),
    ),
)
