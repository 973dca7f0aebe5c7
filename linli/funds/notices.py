"""Who is told what about the fund (docs/notifications.md): the owners of a house whose balance
falls below 30 % of its first deposit (R2.1, 需续交), once per fall, through the resident accounts
of their households (an owner-occupier household of the house, or a household of a person in the
owners register)."""

from collections import defaultdict

from django.utils.translation import gettext as _

from linli.accounts.models import RoleAssignment
from linli.accounts.roles import Role
from linli.core import notify
from linli.people.models import Household, Ownership, Tenure
from linli.places.models import House

from . import rules


def owner_users(house_ids) -> dict:
    """{user: {house ids they own}} for the houses (three queries, whatever their number)."""
    ids = sorted(house_ids)
    houses_of_household = defaultdict(set)
    for house, household in Ownership.objects.filter(house_id__in=ids, person__isnull=False).values_list(
        "house_id", "person__household_id"
    ):
        houses_of_household[household].add(house)
    for house, household in Household.objects.filter(house_id__in=ids, tenure=Tenure.OWNER).values_list(
        "house_id", "id"
    ):
        houses_of_household[household].add(house)
    users = defaultdict(set)
    for ra in RoleAssignment.objects.filter(
        role=Role.RESIDENT, household_id__in=sorted(houses_of_household), user__is_active=True
    ).select_related("user"):
        users[ra.user] |= houses_of_household[ra.household_id]
    return users


def topup_summary(n: int) -> str:
    return _("%(n)s houses must top up their maintenance fund.") % {"n": n}


def topup_due(accounts, entry_of: dict):
    """R2.1: each owner is told which of their houses must top up (key per account and fall)."""
    by_house = {a.house_id: a for a in accounts}
    names = {
        h.pk: f"{h.unit.building.name}{h.unit.name}{h.number}"
        for h in House.objects.filter(pk__in=sorted(by_house)).select_related("unit__building")
    }
    for user, houses in owner_users(by_house).items():
        for house_id in sorted(houses):
            account = by_house[house_id]
            text = _(
                "The maintenance fund balance of %(house)s is below %(percent)s%% of its first deposit: "
                "please top it up (需续交)."
            ) % {"house": names[house_id], "percent": rules.policy().house_percent}
            key = f"funds.account:{account.pk}:{entry_of.get(account.pk, 0)}:topup"
            notify.send([user], text, account.get_absolute_url(), key=key, summary=topup_summary)
