"""What a Person's row derives from its other values, in one place: Person.save() and every bulk
writer of persons (the ledger import, the benchmark's district) write these values and no
others, so a person written either way is the same row.

- the ID number and phone, normalised (what is encrypted, and what is hashed);
- their keyed hashes (exact search, de-duplication, import matching without decrypting);
- the birth date, always the ID number's (docs/security.md: not a field of its own);
- the gender: as given, else the ID number's;
- the household's ancestor ids (unit … sub-district), on which scope filters.
"""

from linli.core import crypto
from linli.core.validators import birth_date_from_id, gender_from_id, normalise_id, normalise_phone

PLACE_KEYS = ("unit_id", "building_id", "compound_id", "grid_id", "community_id", "subdistrict_id")


def person_values(*, id_number: str, phone: str, household, gender: str = "") -> dict:
    """The derived fields of a person with this ID number and phone in `household` (a Household,
    or any object with its PLACE_KEYS attributes, such as a bulk writer's row)."""
    id_number, phone = normalise_id(id_number), normalise_phone(phone)
    return {
        "id_number": id_number,
        "id_number_hash": crypto.keyed_hash(id_number),
        "phone": phone,
        "phone_hash": crypto.keyed_hash(phone) if phone else "",
        "birth_date": birth_date_from_id(id_number),
        "gender": gender or gender_from_id(id_number),
        **{key: getattr(household, key) for key in PLACE_KEYS},
    }
