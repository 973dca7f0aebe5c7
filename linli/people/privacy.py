"""What a user sees of a person beyond the masked ID number and phone (docs/security.md, "Personal
data: masking, reveal, search, export").

The eight hidden digits of a masked ID number (640104********3217) are the birth date, so no
screen, form, export, audit record or API response shows the birth date. Roles holding
people.reveal over the person see the birth year (about 33 ID numbers fit it, and checking them
takes the audited, throttled exact search); the others see nothing of it (about 4,200 fit).
Sensitive tags (低保, 残疾人 …) follow the same rule. "Over the person": a grid worker of grid A
who is also building head of a building in grid B sees B's people as a building head.
"""

from linli.core.scope import scope_for

from .models import Person


def reveals(user, obj) -> bool:
    """Whether `user` holds people.reveal over this person (or household): no query per row."""
    return scope_for(user, "people.reveal").covers(obj)


def birth_year(user, person) -> int | None:
    return person.birth_date.year if person.birth_date and reveals(user, person) else None


def shown_tags(user, person) -> list:
    """The person's tags this user may see (from the prefetched tags: no query)."""
    tags = person.tags.all()
    return list(tags) if reveals(user, person) else [t for t in tags if not t.sensitive]


def with_tag(persons, user, tag):
    """The persons with `tag`; a sensitive one only among those the user may reveal (a filter
    that answered for the others would show the tag as surely as a badge)."""

    persons = persons.filter(tags=tag)
    return persons & Person.objects.restrict(user, "reveal") if tag.sensitive else persons
