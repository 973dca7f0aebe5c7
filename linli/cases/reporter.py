"""Who reported a request, and who may know it (网格悄悄话; docs/workorders.md, "Anonymous requests").

On an anonymous request every event whose actor is the reporter — or a member of the reporter's
household, who would name the family — shows no name: "Anonymous" to everyone, "You (anonymous)"
to that person. The report entry hides its actor whoever recorded it. Staff appear by name as
on any request. Community and sub-district staff (and administrators) may learn who reported it
only through `actions.reveal_reporter`, which writes a reveal record to the audit log.
"""

from django.utils.translation import gettext as _

from linli.accounts.models import RoleAssignment

REVEAL_PERM = "cases.reveal_reporter"


def hidden_actors(case) -> set[int]:
    """User ids that an anonymous request's timeline never names."""
    if not case.anonymous:
        return set()

    ids = {case.reporter_id} if case.reporter_id else set()
    if case.reporter_household_id:
        ids |= set(
            RoleAssignment.objects.filter(household_id=case.reporter_household_id).values_list("user_id", flat=True)
        )
    return ids


def is_hidden(event, case, hidden) -> bool:
    return case.anonymous and (event.action == "report" or event.actor_id in hidden)


def actor_label(event, case, viewer, hidden) -> str:
    """The name a timeline shows for an event's actor, to `viewer`."""
    if is_hidden(event, case, hidden):
        return _("You (anonymous)") if event.actor_id and event.actor_id == viewer.pk else _("Anonymous")
    return str(event.actor) if event.actor_id else "—"


def reporter_label(case, viewer) -> str:
    if case.anonymous:
        return _("You (anonymous)") if case.reporter_id and case.reporter_id == viewer.pk else _("Anonymous")
    return case.reporter_name or (str(case.reporter) if case.reporter_id else "—")
