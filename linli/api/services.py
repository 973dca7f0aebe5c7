"""Domain calls the API needs that are not plain create/update/delete."""

from linli.people.actions import reveal_field


def reveal_person_field(person, field: str, actor) -> str:
    """The clear ID number or phone of `person`, audited (AuditLog "reveal", note = field).

    The rule lives in people.actions.reveal_field, shared with the UI's reveal button; this
    name is kept for API callers. The caller fetched `person` through restrict(actor, "reveal").
    """
    return reveal_field(person, field, actor=actor)
