"""The synthetic district is consistent with what the application writes, and the report is
complete. (Speed is measured by `make bench`; `make bench-smoke` runs every benchmark end to end.)"""

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F

from linli.accounts.models import RoleAssignment
from linli.accounts.roles import Role
from linli.bench import cobuilding, runner
from linli.bench.district import District, sizes
from linli.bench.management.commands import bench_data
from linli.cases.models import Case, CaseEvent, State
from linli.core import crypto
from linli.core.validators import birth_date_from_id, gender_from_id, validate_id_number
from linli.deliberation import actions as votes
from linli.deliberation.models import Ballot, OwnerVote
from linli.orgs.models import Kind, Organisation
from linli.people.models import Household, Person
from linli.places.models import Building, Community, Compound, Grid, House, Subdistrict
from linli.projects.models import Funding, Need, Project, Resource
from linli.wishes.models import MAX_VALUE_FEN, ON_WALL, Wish
from linli.wishes.models import State as WishState
from linli.wishes.views import WALL_PAGE


def test_sizes_follow_the_scale_and_never_vanish():
    full = sizes(1.0)
    assert (full["subdistricts"], full["communities"], full["grids"], full["households"], full["cases"]) == (
        10,
        100,
        600,
        300_000,
        1_000_000,
    )
    assert (full["vote_houses"], full["vote_ballots"]) == (5000, 4000)
    tiny = sizes(0.0001)
    assert tiny["subdistricts"] == tiny["communities"] == tiny["grids"] == 1
    assert tiny["households"] >= 20 and tiny["cases"] >= 50 and tiny["vote_ballots"] < tiny["vote_houses"]
    assert sizes(0.1)["vote_houses"] == 5000 and sizes(0.05)["vote_houses"] == 2500


@pytest.fixture
def district(db):
    built = District(0.001, seed=7, out=lambda *_a: None)
    counts = built.build()
    return built, counts


def test_places_and_people_are_consistent(district):
    built, counts = district
    n = sizes(0.001)
    assert Subdistrict.objects.filter(code__startswith="BENCH").count() == n["subdistricts"]
    assert Grid.objects.count() == n["grids"] and Household.objects.count() == n["households"] == counts["households"]
    assert not House.objects.exclude(building_id=F("unit__building_id")).exists()
    assert not House.objects.exclude(grid_id=F("unit__building__grid_id")).exists()
    assert not Building.objects.exclude(community_id=F("compound__community_id")).exists()
    names = list(Compound.objects.values_list("name", flat=True))
    assert len(names) == len(set(names)) > 1, "a ledger file names compounds: unique in the district"
    assert Household.objects.annotate(n=Count("members")).filter(n=0).count() == 0
    people = list(Person.objects.select_related("household__house"))
    assert len(people) == counts["people"] and len(people) >= 2.5 * counts["households"]
    for p in people[:300]:
        validate_id_number(p.id_number)  # decrypted through the model field: stored encrypted
        assert p.birth_date == birth_date_from_id(p.id_number) and p.gender == gender_from_id(p.id_number)
        assert (p.grid_id, p.unit_id) == (p.household.house.grid_id, p.household.house.unit_id)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number FROM {Person._meta.db_table} WHERE id = %s", [people[0].pk])  # noqa: S608 - a model name
        raw = cursor.fetchone()[0]
    assert raw != people[0].id_number and crypto.decrypt(raw) == people[0].id_number, "ID numbers are encrypted at rest"


def test_requests_have_timelines_ending_in_their_state(district):
    built, counts = district
    assert Case.objects.count() == counts["cases"] == sizes(0.001)["cases"]
    assert len(set(Case.objects.values_list("state", flat=True))) >= 6
    for case in Case.objects.prefetch_related("events")[:400]:
        events = list(case.events.all())
        assert events[0].action == "report" and events[-1].to_state == case.state
        assert all(a.created_at <= b.created_at for a, b in zip(events, events[1:], strict=False))
        assert case.respond_by > case.created_at and case.resolve_by > case.created_at
        if case.state == State.CLOSED:
            assert case.closed_at and case.handled_at and case.rating
    assert CaseEvent.objects.count() == counts["case_events"]
    # the generator numbered ids itself: the sequences were moved past them
    assert (
        Case.objects.create(
            channel="patrol",
            category_id=Case.objects.first().category_id,
            description="x",
            grid_id=Case.objects.first().grid_id,
            community_id=Case.objects.first().community_id,
            subdistrict_id=Case.objects.first().subdistrict_id,
            respond_by=Case.objects.first().respond_by,
            resolve_by=Case.objects.first().resolve_by,
        ).pk
        > counts["cases"]
    )


def test_each_request_carries_what_its_moves_imply(district):
    """The requests are moved by the lifecycle's own effects (Lifecycle.replay): every field a
    move sets agrees with the timeline, the varied paths included (交办, 延期, 退回重办)."""
    seen = Counter()
    for case in Case.objects.prefetch_related("events", "assignments", "merged"):
        moves = [e.action for e in case.events.all() if e.action not in ("report", "comment")]
        seen.update(moves)
        assert case.version == len(moves)
        assert case.reworked == ("send_back" in moves) and case.extended == ("extend" in moves)
        assert (case.responded_at is not None) == bool({"dispatch", "decline", "whistle", "merge"} & set(moves))
        assert (case.closed_at is not None) == (case.state in (State.CLOSED, State.DECLINED, State.MERGED))
        assert bool(case.result) == ("handle" in moves) and bool(case.rating) == ("rate" in moves)
        assert [a.department_id for a in case.assignments.all()] == (
            [case.assignee_org_id] if "assign" in moves else []
        )
        comments = [e for e in case.events.all() if e.action == "comment"]
        assert len(comments) == len(case.merged.all()), "a request merged into this one leaves a note on its timeline"
        if case.state == State.MERGED:
            assert case.merged_into.state in (State.ACCEPTED, State.DISPATCHED, State.IN_PROGRESS)
    assert min(seen[m] for m in ("assign", "extend", "send_back", "merge", "whistle", "decline", "return")) > 0, seen


def test_every_community_has_its_partners_wishes_and_three_lists(district):
    """The co-building rows carry what the lifecycles' effects write for their state, and agree
    across tables: a delivered project's needs are met, an open project's needs planned and its
    resources in use; the wall holds more than a page."""
    _built, counts = district
    community = Community.objects.get()
    assert counts["cobuilding"]["wish"] == Wish.objects.filter(community=community).count() == cobuilding.WISHES
    partners = Organisation.objects.filter(kind=Kind.PARTNER, community=community)
    assert partners.count() == cobuilding.PARTNERS
    assert (
        RoleAssignment.objects.filter(organisation__in=partners, role=Role.PARTNER_STAFF).count() == cobuilding.PARTNERS
    )
    assert set(Wish.objects.values_list("state", flat=True)) == set(WishState.values)
    assert Wish.objects.filter(state__in=ON_WALL).count() > WALL_PAGE
    for wish in Wish.objects.all():
        assert wish.wisher.household_id == wish.household_id and wish.value_fen <= MAX_VALUE_FEN
        moved = [wish.created_at, wish.published_at, wish.claimed_at, wish.delivered_at]
        assert [t for t in moved if t] == sorted(t for t in moved if t)
        assert (wish.published_at is not None) == (
            wish.version >= 1 and wish.state not in ("rejected", "submitted")
        ) or (wish.state == "withdrawn")
        claimed = wish.state in ("claimed", "delivered")
        assert claimed == bool(wish.claimant_user_id and wish.deliver_by and wish.claimant_kind)
        assert (wish.claimant_org_id is not None) == (wish.claimant_kind == "partner")
        assert (wish.state == "delivered") == bool(wish.delivered_at and wish.photo)
        if wish.credit == "organisation":
            assert wish.credit_name == wish.claimant_org.name
    for project in Project.objects.prefetch_related("needs", "resources"):
        needs = {n.state for n in project.needs.all()}
        if project.state == Project.State.DELIVERED:
            assert needs == {Need.State.MET} and project.public_checked and project.delivered_on
        elif project.state in (Project.State.PLANNED, Project.State.IN_PROGRESS):
            assert needs == {Need.State.PLANNED}
            assert {r.state for r in project.resources.all()} == {Resource.State.IN_USE}
    assert not Need.objects.filter(state=Need.State.PLANNED, projects=None).exists()
    assert not Resource.objects.filter(state=Resource.State.IN_USE, projects=None).exists()
    assert Need.objects.filter(state=Need.State.OPEN).exists() and Funding.objects.exists()


def test_the_cobuilding_rows_are_added_to_a_district_made_without_them(db, monkeypatch):
    monkeypatch.setattr(District, "build_cobuilding", lambda self: None)
    District(0.001, seed=7, out=lambda *_a: None).build()
    assert not cobuilding.present()
    out = io.StringIO()
    call_command(bench_data.Command(), scale=0.001, if_absent=True, stdout=out)
    assert cobuilding.present() and Wish.objects.count() == cobuilding.WISHES
    call_command(bench_data.Command(), scale=0.001, if_absent=True, stdout=out)  # once only
    assert Wish.objects.count() == cobuilding.WISHES


def test_each_community_resident_has_requests_of_their_own_and_a_vote_to_open(district):
    """What the phone benchmark opens as the benchmark community's resident login (bench-jm1)."""
    from linli.bench import phone
    from linli.bench.district import RESIDENT_REQUESTS, bench_users

    users = bench_users()
    resident, pages = phone.resident_pages(users)
    household = resident.role_list[0].household
    assert resident.username == "bench-jm1"
    assert Case.objects.filter(reporter_household=household, channel="self_service").count() == RESIDENT_REQUESTS
    assert Case.objects.restrict(resident).count() == RESIDENT_REQUESTS  # their own, nobody else's
    assert dict(pages)["a request"] == f"/cases/{Case.objects.restrict(resident).order_by('-id').first().pk}/"
    assert OwnerVote.objects.restrict(resident).exists()
    for ra in RoleAssignment.objects.filter(role=Role.RESIDENT).select_related("household"):
        assert Case.objects.filter(reporter_household=ra.household).count() >= 1, ra.user.username


def test_owners_vote_is_counted_by_the_real_tally(district):
    built, _counts = district
    vote = OwnerVote.objects.get(pk=built.big_vote)
    assert vote.electors.count() == sizes(0.001)["vote_houses"]
    assert Ballot.objects.filter(vote=vote).count() == sizes(0.001)["vote_ballots"]
    result = votes.result(vote)
    assert (
        result.quorum[1].part == sizes(0.001)["vote_ballots"] and result.quorum[1].whole == sizes(0.001)["vote_houses"]
    )


def test_a_second_run_is_refused(district):
    with pytest.raises(CommandError):
        call_command(bench_data.Command(), scale=0.001, stdout=io.StringIO())
    out = io.StringIO()
    call_command(bench_data.Command(), scale=0.001, if_absent=True, stdout=out)
    assert Subdistrict.objects.filter(code__startswith="BENCH").count() == 1


def test_scale_out_of_range_is_an_error(db):
    with pytest.raises(CommandError):
        call_command(bench_data.Command(), scale=0, stdout=io.StringIO())


def _report(**changes):
    results = [
        {
            "group": "import",
            "name": "ledger import of 60 people",
            "status": "succeeded",
            "rows": 60,
            "seconds": 0.1,
            "rows_per_s": 600.0,
            "baseline_rss_mb": 90.0,
            "peak_rss_mb": 95.0,
            "file_mb": 0.0,
            "errors": [],
        },
        {
            "group": "intake",
            "name": "1 client",
            "workers": 2,
            "intake_rps": 50.0,
            "intake_p50_ms": 10.0,
            "intake_p95_ms": 20.0,
            "intake_errors": 0,
            "baseline_rps": 80.0,
            "baseline_p50_ms": 6.0,
            "baseline_p95_ms": 9.0,
            "baseline_errors": 0,
            "bare_rps": 100.0,
            "bare_p95_ms": 2.0,
            "bare_errors": 0,
            "ratio": 0.625,
            "bare_ratio": 0.5,
            "load": 1.0,
        },
        {"group": "lists", "name": "page 1", "queries": 9, "median_ms": 5.0, "p95_ms": 6.0, "runs": 1},
        {"group": "lists", "name": "page 200", "queries": 9, "median_ms": 5.0, "p95_ms": 6.0, "runs": 1},
        {"group": "dashboard", "name": "d", "queries": 7, "median_ms": 5.0, "p95_ms": 6.0, "runs": 1},
        {"group": "tally", "name": "t", "queries": 2, "median_ms": 5.0, "p95_ms": 6.0, "runs": 1},
        {"group": "reports", "name": "r", "queries": 26, "requests": 9, "median_ms": 5.0, "p95_ms": 6.0, "runs": 1},
        {"group": "scope", "name": "grid", "queries": 9, "median_ms": 5.0, "p95_ms": 6.0, "runs": 1, "in_scope": 10},
        {
            "group": "scope",
            "name": "community",
            "queries": 9,
            "median_ms": 5.0,
            "p95_ms": 6.0,
            "runs": 1,
            "in_scope": 100,
        },
        {
            "group": "exports",
            "name": "e",
            "queries": 6,
            "rows": 9,
            "median_ms": 5.0,
            "p95_ms": 5.0,
            "runs": 1,
            "rss_before_mb": 100.0,
            "rss_growth_mb": 1.0,
        },  # fmt: skip
        {"group": "cobuilding", "name": "wall, page 1", "queries": 4, "median_ms": 5.0, "p95_ms": 6.0, "runs": 1},
        {
            "group": "cobuilding",
            "name": "wall, page 3",
            "same_as": "wall, page 1",
            "queries": 4,
            "median_ms": 5.0,
            "p95_ms": 6.0,
            "runs": 1,
        },
        {
            "group": "funds",
            "name": "topup, page 1",
            "houses": 400,
            "to_top_up": 350,
            "queries": 8,
            "median_ms": 5.0,
            "p95_ms": 6.0,
            "runs": 1,
        },
        {
            "group": "funds",
            "name": "topup, page 7",
            "same_as": "topup, page 1",
            "houses": 400,
            "to_top_up": 350,
            "queries": 8,
            "median_ms": 5.0,
            "p95_ms": 6.0,
            "runs": 1,
        },
        {
            "group": "funds",
            "name": "check",
            "queries": 7,
            "accounts": 9,
            "mismatches": 0,
            "median_ms": 5.0,
            "p95_ms": 5.0,
            "runs": 1,
        },
        {
            "group": "search",
            "name": "staff search, common 楼道, page 1",
            "queries": 9,
            "in_scope": 40,
            "median_ms": 5.0,
            "p95_ms": 6.0,
            "runs": 1,
        },
        {
            "group": "search",
            "name": "staff search, rare 协调未果, page 1",
            "queries": 9,
            "in_scope": 2,
            "median_ms": 5.0,
            "p95_ms": 6.0,
            "runs": 1,
        },
        {
            "group": "phone",
            "name": "home",
            "url": "/",
            "runs": 1,
            "throttled": False,
            "statuses": [200],
            "external": [],
            "first_kb": 120.0,
            "repeat_kb": 5.0,
            "first_requests": 8,
            "repeat_from_cache": 7,
            "ttfb_ms": 90,
            "lcp_ms": 500,
            "tti_ms": 600,
            "repeat_lcp_ms": 200,
            "repeat_tti_ms": 250,
        },
        {
            "group": "intake",
            "name": "in process",
            "load": 1.0,
            "intake_median_ms": 7.5,
            "intake_p95_ms": 9.0,
            "intake_statements": 9,
            "baseline_median_ms": 2.5,
            "baseline_p95_ms": 3.0,
            "baseline_statements": 4,
        },
    ]
    for index, values in changes.items():
        results[int(index[1:])].update(values)
    meta = {
        "date": "2026-11-25T12:00:00+08:00",
        "database": "sqlite 3",
        "python": "3.11",
        "cpus": 2,
        "machine": "x86_64",
        "requests": 1,
        "households": 1,
        "people": 1,
        "repeat": 1,
        "http_seconds": 1,
        "gunicorn_workers": 2,
    }
    return {"meta": meta, "results": results}


def test_check_accepts_a_complete_report_and_names_what_is_wrong():
    assert runner.check(_report()) == []
    assert runner.check(_report(r3={"queries": 10})) == ["page 1: 9 queries, but 10 on page 200"]
    assert runner.check(_report(r1={"intake_errors": 3})) == [
        "intake at 1 client: 3 failed requests, 50.0 rps (baseline 80.0)"
    ]
    assert runner.check(_report(r1={"baseline_errors": 2})) == [
        "intake at 1 client: 2 failed requests, 50.0 rps (baseline 80.0)"
    ]
    assert runner.check(_report(r1={"baseline_rps": 0})) == [
        "intake at 1 client: 0 failed requests, 50.0 rps (baseline 0)"
    ]
    assert runner.check(_report(r18={"intake_statements": 0})) == ["intake in process: no statements captured"]
    assert runner.check(_report(r7={"queries": 12}))[0].startswith("the work-order list issues a different number")
    assert runner.check(_report(r11={"queries": 5})) == ["wall, page 1: 4 queries, but 5 on wall, page 3"]
    assert runner.check(_report(r13={"queries": 9})) == ["topup, page 1: 8 queries, but 9 on topup, page 7"]
    assert runner.check(_report(r14={"mismatches": 2})) == [
        "check: 2 of 9 sub-accounts or fund totals differ from their entries"
    ]
    assert runner.check(_report(r15={"in_scope": 0})) == ["staff search, common 楼道, page 1: nothing found"]
    assert runner.check(_report(r16={"queries": 10})) == [
        "the search issues a different number of queries by term: [9, 10]"
    ]
    assert runner.check(_report(r17={"statuses": [200, 500]})) == ["phone · home: answered [200, 500]"]
    assert runner.check(_report(r17={"external": ["https://cdn.example/x.js"]})) == [
        "phone · home: requests to other hosts: ['https://cdn.example/x.js']"
    ]
    assert runner.check(_report(r17={"first_kb": 0.0})) == ["phone · home: no bytes measured"]
    # the cache must have saved something: a repeat visit as heavy as the first is a failure
    assert runner.check(_report(r17={"repeat_kb": 120.0})) == [
        "phone · home: the repeat visit took 120.0 KB, the first 120.0 KB"
    ]
    assert runner.check(_report(r17={"repeat_kb": 119.9})) == []
    incomplete = _report()
    incomplete["results"] = [r for r in incomplete["results"] if r["group"] != "tally"]
    assert runner.check(incomplete) == ["benchmark tally did not report"]


def test_report_is_saved_as_json_and_replaces_only_the_table(tmp_path):
    md = tmp_path / "benchmarks.md"
    md.write_text(
        "# Benchmarks\n\nIntro stays.\n\n<!-- bench:results:sqlite -->\nold table\n<!-- /bench:results:sqlite "
        "-->\n\nNotes stay.\n"
    )
    path = runner.save(_report(), tmp_path / "results", md)
    assert path.name == "2026-11-25-sqlite.json" and '"rows_per_s": 600.0' in path.read_text()
    text = md.read_text()
    assert "Intro stays." in text and "Notes stay." in text and "old table" not in text
    assert "| home (not throttled) | 120.0 | 8 | 5.0 | 90 | 500 | 600 | 200 / 250 |" in text
    assert "| 1 client | 50.0 | 10.0 / 20.0 | 80.0 | 6.0 / 9.0 | 62% | 100.0 | 50% | 0 | 1.0 |" in text
    assert "an intake 7.5 ms median (9.0 p95) in 9 SQL statements, the baseline write 2.5 ms (3.0) in 4." in text
    assert "| page 200 | 5.0 | 6.0 | 9 |" in text and "| community | 5.0 | 6.0 | 9 | 100 |" in text
    postgres = _report()
    postgres["meta"]["database"] = "postgresql 15.20"
    runner.save(postgres, tmp_path / "results", md)
    text = md.read_text()
    assert text.count("| 1 client |") == 2 and text.index("results:sqlite") < text.index("results:postgresql")


def test_a_partial_run_gets_its_own_section_and_file_and_leaves_the_whole_runs(tmp_path):
    md = tmp_path / "benchmarks.md"
    md.write_text("# Benchmarks\n\n<!-- bench:results:sqlite -->\nthe whole run\n<!-- /bench:results:sqlite -->\n")
    path = runner.save(_report(), tmp_path / "results", md, only=["tally", "lists"])
    assert path.name == "2026-11-25-sqlite-lists+tally.json"
    text = md.read_text()
    assert "the whole run" in text  # the whole run's table is still there
    assert "<!-- bench:results:sqlite:lists+tally -->" in text and text.count("| page 200 |") == 1


def test_runs_of_other_scales_stay_side_by_side(tmp_path):
    md = tmp_path / "benchmarks.md"
    md.write_text(
        "# Benchmarks\n\n<!-- bench:results:postgresql:lists -->\nthe full district\n"
        "<!-- /bench:results:postgresql:lists -->\n"
    )
    full, small = _report(), _report()
    full["meta"] |= {"database": "postgresql 15.20", "scale": 1.0}
    small["meta"] |= {"database": "postgresql 15.20", "scale": 0.1}
    assert runner.save(full, tmp_path / "results", "", only=["lists"]).name == "2026-11-25-postgresql-lists.json"
    path = runner.save(small, tmp_path / "results", md, only=["lists"])
    assert path.name == "2026-11-25-postgresql-scale-0.1-lists.json"
    assert len(list((tmp_path / "results").iterdir())) == 2
    text = md.read_text()
    assert "the full district" in text and "<!-- bench:results:postgresql:scale-0.1:lists -->" in text
