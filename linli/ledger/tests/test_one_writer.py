"""One writer for a person's derived fields (people/derive.py): a person imported from the ledger
holds exactly what Person.save() would have derived, and an import changes no derived value the
file does not name."""

import pytest

from linli.core import crypto
from linli.core.actions import update_object
from linli.people.derive import person_values
from linli.people.models import Person

from .test_import_streaming import add_houses, existing, families, run


def derived_as_saved(person):
    return person_values(
        id_number=person.id_number, phone=person.phone, household=person.household, gender=person.gender
    )


def stored(person):
    return {field: getattr(person, field) for field in derived_as_saved(person)}


@pytest.mark.django_db
def test_imported_people_hold_what_save_derives(world):
    houses = add_houses(world, 3)
    job = run(world.users.community, [*families(houses, 8), *existing(world)])
    assert (job.status, job.created_count, job.updated_count) == ("succeeded", 8, 3)
    people = list(Person.objects.select_related("household"))
    assert len(people) == 12 + 8
    for person in people:
        assert stored(person) == derived_as_saved(person), person.name
        assert person.gender  # from the ID number where nobody gave one


@pytest.mark.django_db
def test_a_blank_phone_cell_keeps_the_phone_and_its_hash(world):
    run(world.users.community, existing(world))  # p_a2s's phone cell is blank
    a2s = Person.objects.get(pk=world.p_a2s.pk)
    assert a2s.phone == world.p_a2s.phone
    assert a2s.phone_hash == crypto.keyed_hash(world.p_a2s.phone)  # so a search by phone still finds them


@pytest.mark.django_db
def test_an_import_keeps_a_gender_given_on_screen(world):
    other = "female" if world.p_a2s.gender == "male" else "male"
    update_object(world.p_a2s, actor=None, gender=other)
    run(world.users.community, existing(world))
    assert Person.objects.get(pk=world.p_a2s.pk).gender == other
