"""The role matrix: which permissions each role carries, and at which level it is granted.

A permission is "<domain>.<action>" (domains: places, people, orgs, accounts, audit). A role
assignment grants its role's permissions on one place (or organisation) and everything below it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("System administrator")
    SUBDISTRICT_STAFF = "subdistrict_staff", _("Sub-district staff")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    GRID_CHIEF = "grid_chief", _("Grid chief")
    GRID_WORKER = "grid_worker", _("Grid worker")
    BUILDING_HEAD = "building_head", _("Building head")
    UNIT_HEAD = "unit_head", _("Unit head")
    PROPERTY_STAFF = "property_staff", _("Property company staff")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    RESIDENT = "resident", _("Resident")


# Where each role is granted: the RoleAssignment field that must be set.
ROLE_LEVEL = {
    Role.ADMIN: None,
    Role.SUBDISTRICT_STAFF: "subdistrict",
    Role.COMMUNITY_STAFF: "community",
    Role.GRID_CHIEF: "grid",
    Role.GRID_WORKER: "grid",
    Role.BUILDING_HEAD: "building",
    Role.UNIT_HEAD: "unit",
    Role.PROPERTY_STAFF: "organisation",
    Role.DEPARTMENT_STAFF: "organisation",
    Role.RESIDENT: "household",
}

_STAFF = {
    "places.view", "places.change", "places.delete",
    "people.view", "people.change", "people.delete", "people.reveal", "people.import", "people.export",
    "orgs.view", "orgs.change", "orgs.delete",
    "accounts.view", "accounts.change",
    "audit.view",
    "cases.view", "cases.report", "cases.dispatch", "cases.verify", "cases.rate",
    # who reported an anonymous request, through an audited action (docs/workorders.md)
    "cases.reveal_reporter",
    "votes.view", "votes.manage",
}  # fmt: skip
_GRID = {
    "places.view",
    "people.view", "people.change", "people.reveal", "people.export",
    "orgs.view",
    "cases.view", "cases.report", "cases.dispatch", "cases.verify", "cases.rate",
    "votes.view",
}  # fmt: skip
# Handlers see and work only the cases dispatched to their organisation.
_HANDLER = {"cases.view", "cases.handle"}

PERMISSIONS: dict[str, frozenset[str]] = {
    # The tag list is shared by the whole sub-district, so only its staff edit it.
    # …and only administrators issue Open311 keys (a machine client acting as one user)
    Role.ADMIN: frozenset(_STAFF | {"tags.change", "config.change", "cases.whistle", "cases.assign", "open311.manage"}),
    # the sub-district assigns escalated requests to departments and supervises them (交办 · 督办)
    # …and keeps the shared settings: tags, request categories and time limits, the holiday calendar
    Role.SUBDISTRICT_STAFF: frozenset(_STAFF | {"tags.change", "config.change", "cases.assign"}),
    # the community blows the whistle (吹哨) when it cannot solve a request itself, and handles the
    # work orders dispatched to its own organisations (社区能解决的就地解决: cases.workflow.handler)
    Role.COMMUNITY_STAFF: frozenset(_STAFF | {"cases.whistle", "cases.handle"}),
    Role.GRID_CHIEF: frozenset(_GRID | {"audit.view"}),
    Role.GRID_WORKER: frozenset(_GRID),
    # Building and unit heads help keep the ledger current but never see full ID numbers.
    Role.BUILDING_HEAD: frozenset({"places.view", "people.view", "cases.view", "cases.report"}),
    Role.UNIT_HEAD: frozenset({"places.view", "people.view", "cases.view", "cases.report"}),
    # Property staff see the houses and households of the compounds their company serves.
    Role.PROPERTY_STAFF: frozenset({"places.view", "orgs.view"} | _HANDLER),
    Role.DEPARTMENT_STAFF: frozenset({"orgs.view"} | _HANDLER),
    # Residents report from their household and rate their own requests.
    Role.RESIDENT: frozenset(
        {"people.view", "cases.view", "cases.report", "cases.rate", "votes.view", "votes.propose"}
    ),
}

# Property staff reach the places of the compounds their company serves through their
# organisation; their cases are only those dispatched to it (organisation level).
ORG_ROLE_COMPOUNDS = {Role.PROPERTY_STAFF}

# 等保 2.0 level 3 asks administrators to sign in with two factors; Linli asks it of every role
# that can see full ID numbers and phones or take them away (people.reveal, people.export).
TWO_FACTOR_PERMISSIONS = frozenset({"people.reveal", "people.export"})
TWO_FACTOR_ROLES = frozenset(role for role in Role if role == Role.ADMIN or PERMISSIONS[role] & TWO_FACTOR_PERMISSIONS)
