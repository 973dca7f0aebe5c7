"""The ledger's side of the public-text check (core.public_text): the names of the people of one
community, and the words that are that community's own — its place and organisation names — so
that a resident called 和苑 does not stop every notice about 馨和苑."""

from linli.core import public_text
from linli.orgs.models import Organisation
from linli.places.models import Compound, Grid

from .models import Person


def ledger_words(community):
    names = Person.objects.filter(community_id=community.pk).values_list("name", flat=True).distinct()
    ordinary = [
        community.name,
        *Compound.objects.filter(community_id=community.pk).values_list("name", flat=True),
        *Grid.objects.filter(community_id=community.pk).values_list("name", flat=True),
        *Organisation.objects.filter(subdistrict_id=community.subdistrict_id).values_list("name", flat=True),
    ]
    return names, ordinary


def check_public_text(community, **fields):
    """Raise core.public_text.PersonalDataError for each field (name=text) that would publish
    personal data on `community`'s board."""
    if not any(fields.values()):
        return
    names, ordinary = ledger_words(community)
    public_text.check(fields, names=names, ordinary=ordinary)
