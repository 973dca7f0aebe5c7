"""Posting one move of a topic's or a meeting's lifecycle as a screen or an API client does:
to the move's own URL, with the version the page showed (here: the row's current one)."""

from django.urls import reverse


def version_of(obj):
    return type(obj).objects.values_list("version", flat=True).get(pk=obj.pk)  # unversioned moves ignore it


URL_NAMES = {"OwnerVote": "vote", "Topic": "topic", "Meeting": "meeting"}
API_PATHS = {"OwnerVote": "votes", "Topic": "topics", "Meeting": "meetings"}


def post_move(client, obj, name, data=None, **kwargs):
    """The screen: POST <thing>/<id>/<move>/ with the form's fields."""
    url = reverse(f"deliberation:{URL_NAMES[type(obj).__name__]}_{name}", args=[obj.pk])
    return client.post(url, {"version": version_of(obj), **(data or {})}, **kwargs)


def api_move(client, obj, name, data=None):
    """The API: POST /api/v1/<things>/<id>/<move>/ with a JSON body."""
    return client.post(
        f"/api/v1/{API_PATHS[type(obj).__name__]}/{obj.pk}/{name}/",
        {"version": version_of(obj), **(data or {})},
        format="json",
    )
