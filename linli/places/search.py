"""Finding a house by its address (地址), as staff say it: "枫林湾 3栋 2单元 501",
"枫林湾3号楼2单元501", "3-2-501" (building, unit, house). Each piece must match: a word matches
the compound, building or unit's name; "3栋"/"3号楼"/"3幢" the building numbered 3; "2单元" the unit; a bare number the
house number (its start), or a building or unit of that number. The caller restricts the
queryset first (a user finds only the houses of their scope); no internal id is ever typed."""

import re

from django.db.models import Q

DASHED = re.compile(r"(?<![\d-])(\d+)-(\d+)-(\d+)(?![\d-])")  # building-unit-house, as on a door: 3-2-501
PIECE = re.compile(r"(\d+)(号楼|栋|幢|单元|号|室)?|([^\d\s\-—_,，、/#.]+)")
MAX_FOUND = 20
BUILDING_SUFFIXES = ("号楼", "栋", "幢", "号", "")


def _building(n):
    return Q(building__name__in=[f"{n}{s}" for s in BUILDING_SUFFIXES])


def _unit(n):
    return Q(unit__name__in=[f"{n}单元", n])


def _piece(number, suffix, word):
    if word:
        return Q(compound__name__icontains=word) | Q(building__name__icontains=word) | Q(unit__name__icontains=word)
    if suffix in ("号楼", "栋", "幢"):
        return _building(number)
    if suffix == "单元":
        return _unit(number)
    return Q(number__startswith=number) | _building(number) | _unit(number)


def houses_matching(houses, text: str):
    """The houses of `houses` whose address matches every piece of `text` (none for no piece), in
    address order, with what their labels need (pickers show the first MAX_FOUND)."""
    pieces = PIECE.findall(DASHED.sub(r"\1栋 \2单元 \3", text or ""))
    if not pieces:
        return houses.none()
    q = Q()
    for piece in pieces:
        q &= _piece(*piece)
    return (
        houses.filter(q)
        .select_related("unit__building__compound")
        .order_by("compound__sort_key", "building__sort_key", "unit__sort_key", "sort_key", "id")
    )
