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
    PARTNER_STAFF = "partner_staff", _("Co-building partner staff")
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
    Role.PARTNER_STAFF: "organisation",
    Role.RESIDENT: "household",
}

_STAFF = {
    "places.view", "places.change", "places.delete",
    "people.view", "people.change", "people.delete", "people.reveal", "people.import", "people.export",
    "orgs.view", "orgs.change", "orgs.delete",
    "accounts.view", "accounts.change",
    "audit.view", "audit.export",
    "cases.view", "cases.report", "cases.dispatch", "cases.verify", "cases.rate",
    # exports of the lists one sees (core.exports; docs/security.md, "Exports of lists")
    "cases.export", "votes.export",
    # who reported an anonymous request, through an audited action (docs/workorders.md)
    "cases.reveal_reporter",
    "votes.view", "votes.manage",
    # 月报/季报/年报 of the communities and sub-districts in scope, 问题清单和台账 (docs/reports.md)
    "reports.view",
}  # fmt: skip
_GRID = {
    "places.view",
    "people.view", "people.change", "people.reveal", "people.export",
    "orgs.view",
    "cases.view", "cases.report", "cases.dispatch", "cases.verify", "cases.rate", "cases.export",
    "votes.view", "votes.export",
    "reports.view",  # the 问题清单和台账 of their grids
}  # fmt: skip
# 党建 · 共驻共建 (linli/party, docs/party.md): community staff keep the members, confirm 双报到,
# check commitments and sign agreements; the sub-district reads; grid workers read their grid's
# members; a partner's staff see their own organisation's agreements and report its members.
_PARTY_STAFF = {"party.view", "party.change", "party.report"}
_PARTY_READ = {"party.view"}
# 设施台账 (linli/facilities, docs/facilities.md): the community keeps the register; the property
# company records faults, repairs and inspections of the facilities of the compounds it serves or
# maintains; the sub-district and grid workers read it and watch inspections and repeated failures
# (facilities.monitor: the workbench's inspection counts, the requests counted per facility);
# residents see their compound's facilities.
_FACILITY_KEEP = {"facilities.view", "facilities.change", "facilities.monitor"}
_FACILITY_WATCH = {"facilities.view", "facilities.monitor"}
# 三单 (linli/projects, docs/projects.md): community staff keep the needs, enter resources and run
# the projects; the sub-district reads; a partner's staff read their paired community's needs and
# their own resources and projects, and offer (and withdraw) their own resources.
_PROJECTS_STAFF = {"projects.view", "projects.change", "projects.offer"}
_PROJECTS_READ = {"projects.view"}
# 民生实事 (docs/projects.md): the community applies (申报) and runs the works; the sub-district
# approves (立项, 追加) and records the payments — never on a project its approver applied for.
_PROJECTS_APPROVE = {"projects.view", "projects.approve"}
# 住宅专项维修资金 (linli/funds, docs/funds.md): community staff keep the ledger and propose uses
# and request payments; the sub-district approves and pays (never the one who requested);
# grid workers read their grid's sub-accounts; residents read their own house's sub-account and
# their compound's fund and uses.
_FUNDS_KEEP = {"funds.view", "funds.change"}
_FUNDS_APPROVE = {"funds.view", "funds.approve", "funds.pay"}
# 微心愿 (linli/wishes, docs/wishes.md): community staff check, post on behalf, confirm and keep the
# rules; residents post for their household, claim as volunteers and confirm their own; partner
# staff see their paired community's published wishes and claim them; the sub-district reads.
_WISHES_STAFF = {"wishes.view", "wishes.manage", "wishes.claim", "wishes.confirm"}
_WISHES_RESIDENT = {"wishes.view", "wishes.post", "wishes.claim", "wishes.confirm"}
# Handlers see and work only the cases dispatched to their organisation.
# …and may export that list (their work queue), as it is on their screen.
_HANDLER = {"cases.view", "cases.handle", "cases.export"}

PERMISSIONS: dict[str, frozenset[str]] = {
    # The tag list is shared by the whole sub-district, so only its staff edit it.
    # …and only administrators issue Open311 keys (a machine client acting as one user)
    Role.ADMIN: frozenset(
        _STAFF
        | _PARTY_STAFF
        | _FACILITY_KEEP
        | _PROJECTS_STAFF
        | _PROJECTS_APPROVE
        | _FUNDS_KEEP
        | _FUNDS_APPROVE
        | _WISHES_STAFF
        | {"tags.change", "config.change", "cases.whistle", "cases.assign", "open311.manage"}
    ),
    # the sub-district assigns escalated requests to departments and supervises them (交办 · 督办)
    # …and keeps the shared settings: tags, request categories and time limits, the holiday calendar
    Role.SUBDISTRICT_STAFF: frozenset(
        _STAFF
        | _PARTY_READ
        | _PROJECTS_READ
        | _PROJECTS_APPROVE
        | _FACILITY_WATCH
        | _FUNDS_APPROVE
        | {"wishes.view", "tags.change", "config.change", "cases.assign"}
    ),
    # the community blows the whistle (吹哨) when it cannot solve a request itself, and handles the
    # work orders dispatched to its own organisations (社区能解决的就地解决: cases.workflow.handler)
    Role.COMMUNITY_STAFF: frozenset(
        _STAFF
        | _PARTY_STAFF
        | _PROJECTS_STAFF
        | _FACILITY_KEEP
        | _FUNDS_KEEP
        | _WISHES_STAFF
        | {"cases.whistle", "cases.handle"}
    ),
    Role.GRID_CHIEF: frozenset(_GRID | _PARTY_READ | _FACILITY_WATCH | {"funds.view", "audit.view", "audit.export"}),
    Role.GRID_WORKER: frozenset(_GRID | _PARTY_READ | _FACILITY_WATCH | {"funds.view"}),
    # Building and unit heads help keep the ledger current but never see full ID numbers.
    Role.BUILDING_HEAD: frozenset({"places.view", "people.view", "cases.view", "cases.report", "facilities.view"}),
    Role.UNIT_HEAD: frozenset({"places.view", "people.view", "cases.view", "cases.report", "facilities.view"}),
    # Property staff see the houses and households of the compounds their company serves.
    Role.PROPERTY_STAFF: frozenset({"places.view", "orgs.view"} | _HANDLER | _FACILITY_KEEP),
    Role.DEPARTMENT_STAFF: frozenset({"orgs.view", "facilities.view"} | _HANDLER),
    # A partner's staff: their own organisation (and its party organisations), its agreements,
    # and the 双报到 of its members (people they name by ID number: they learn only that the
    # person is in the ledger); the needs of its paired community and its own resources and
    # projects, and offers resources (三单); the published micro-wishes of its paired community, which it claims;
    # and the work orders dispatched to it — a joint meeting's project it owns — which it handles as any handling
    # organisation does (no export: that would need the second factor).
    Role.PARTNER_STAFF: frozenset(
        {"orgs.view", "party.view", "party.report", "cases.view", "cases.handle"}
        | _PROJECTS_READ
        | {"projects.offer", "wishes.view", "wishes.claim"}
    ),
    # Residents report from their household and rate their own requests.
    Role.RESIDENT: frozenset(
        {
            "people.view",
            "cases.view",
            "cases.report",
            "cases.rate",
            "votes.view",
            "votes.propose",
            "facilities.view",
            "funds.view",
        }
        | _WISHES_RESIDENT
    ),
}

# Property staff reach the places of the compounds their company serves through their
# organisation; their cases are only those dispatched to it (organisation level).
ORG_ROLE_COMPOUNDS = {Role.PROPERTY_STAFF}

# 等保 2.0 level 3 asks administrators to sign in with two factors; Linli asks it of every role
# that can see full ID numbers and phones or take them away (people.reveal, people.export).
TWO_FACTOR_PERMISSIONS = frozenset({"people.reveal", "people.export"})
TWO_FACTOR_ROLES = frozenset(role for role in Role if role == Role.ADMIN or PERMISSIONS[role] & TWO_FACTOR_PERMISSIONS)
