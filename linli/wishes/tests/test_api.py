"""/api/v1/wishes/: posting (a resident for their household, staff on behalf), the moves with their
answers (400 with field paths, 403, 404 out of scope, 409 stale), confirm with a photo in multipart."""

from linli.wishes.models import State, Wish

from .conftest import api, photo, published


def test_a_resident_posts_and_the_limit_is_a_field_error(world, wishes):
    a = api(world.users.resident)
    r = a.post("/api/v1/wishes/", {"title": "书包", "category": "study", "value_fen": 50_000}, format="json")
    assert r.status_code == 201 and r.json()["state"] == State.SUBMITTED
    r = a.post("/api/v1/wishes/", {"title": "书包", "category": "study", "value_fen": 50_001}, format="json")
    assert r.status_code == 400 and "value" in str(r.json())
    r = a.post("/api/v1/wishes/", {"title": "", "category": "nope", "value_fen": -1}, format="json")
    assert r.status_code == 400
    assert (
        api(wishes.party.bank_staff).post("/api/v1/wishes/", {"title": "x", "value_fen": 1}, format="json").status_code
        == 403
    )


def test_staff_post_on_behalf_only_in_their_community(world):
    body = {"household": world.hh_b1.pk, "wisher": world.p_b1s.pk, "title": "棉被", "value_fen": 100}
    r = api(world.users.community).post("/api/v1/wishes/", body, format="json")
    assert r.status_code == 201
    assert Wish.objects.get(pk=r.json()["id"]).on_behalf
    r = api(world.users.other_community).post("/api/v1/wishes/", body, format="json")
    assert r.status_code == 400 and "household" in str(r.json())


def test_moves_through_the_api(world, wishes):
    wish = published(world)
    claimant = api(wishes.party.bank_staff)
    r = claimant.post(
        f"/api/v1/wishes/{wish.pk}/claim/",
        {"version": wish.version, "as_kind": "partner", "organisation": wishes.party.bank.pk, "credit": "organisation"},
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert (r.json()["state"], r.json()["credit_name"], r.json()["wisher"]) == (State.CLAIMED, "宁夏银行金凤支行", None)
    again = api(wishes.neighbour).post(
        f"/api/v1/wishes/{wish.pk}/claim/", {"version": wish.version, "as_kind": "volunteer", "credit": "anonymous"},
        format="json",
    )  # fmt: skip
    assert again.status_code == 404  # a claimed wish leaves the wall for others
    version = r.json()["version"]
    stale = api(world.users.community).post(f"/api/v1/wishes/{wish.pk}/release/", {"version": 0}, format="json")
    assert stale.status_code == 409
    no_photo = api(world.users.resident).post(f"/api/v1/wishes/{wish.pk}/confirm/", {"version": version}, format="json")
    assert no_photo.status_code == 400 and "photo" in str(no_photo.json())
    done = api(world.users.resident).post(
        f"/api/v1/wishes/{wish.pk}/confirm/", {"version": version, "photo": photo()}, format="multipart"
    )
    assert done.status_code == 200 and done.json()["state"] == State.DELIVERED
    assert (
        api(world.users.other_community).post(f"/api/v1/wishes/{wish.pk}/approve/", {"version": 0}).status_code == 404
    )
    assert api(world.users.resident).post(f"/api/v1/wishes/{wish.pk}/approve/", {"version": 0}).status_code in (
        403,
        404,
    )


def test_a_body_that_is_no_object_is_a_400(world):
    r = api(world.users.resident).post("/api/v1/wishes/", '""', content_type="application/json")
    assert r.status_code == 400
