"""A small, fixed world for tests: two communities, three grids, personas at known places.

Built through the same actions the app uses. Persona names say where they sit:
grid_a (grid worker of grid A), grid_b (grid worker of grid B, same community), community
(community staff of C1), other_community (community staff of C2), subdistrict, property
(staff of the company serving compound 1), department, resident (head of household A1),
building_head (building A), nobody (no role), admin.

The world is built once per test database (per xdist worker) and committed; each test runs in
a transaction that is rolled back, so the rows stay as built. `build_world()` hands every caller
fresh Python objects read back from the database (one query per model), so an in-memory edit
in one test never reaches another. A test that flushes the database (transactional_db,
live_server) takes the world with it; the next `build_world()` builds it again (docs/testing.md).
"""

from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import Role
from linli.core.actions import create_object
from linli.core.validators import id_check_digit
from linli.orgs.models import Kind, Organisation
from linli.people.models import Household, Person, Relation, Tag
from linli.places.models import Building, Community, Compound, Grid, House, Subdistrict, Unit

PASSWORD = "Linli-test-2026"  # noqa: S105
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[106.2, 38.4], [106.3, 38.4], [106.3, 38.5], [106.2, 38.5], [106.2, 38.4]]],
}


def make_id(serial: int, birth: str = "19800101", region: str = "640104") -> str:
    first17 = f"{region}{birth}{serial % 1000:03d}"
    return first17 + id_check_digit(first17)


def _user(username, role=None, **place):
    user = User.objects.create_user(username, password=PASSWORD, display_name=username)
    if role:
        RoleAssignment.objects.create(user=user, role=role, **place)
    return user


def ensure_seed_data():
    """Tests on a flushed database (transactional tests) lose what data migrations seeded."""
    import importlib

    from django.apps import apps

    from linli.cases.models import Category

    if not Category.objects.exists():
        importlib.import_module("linli.cases.migrations.0002_seed_categories_and_holidays").seed(apps, None)
    from linli.deliberation.models import Procedure

    if not Procedure.objects.exists():
        importlib.import_module("linli.deliberation.migrations.0003_seed_procedures").seed(apps, None)
        importlib.import_module("linli.deliberation.migrations.0009_builtin_timing").forwards(apps, None)
        importlib.import_module("linli.deliberation.migrations.0014_builtin_procedure_codes").forwards(apps, None)


class _Built:
    """Where the world of this test database is: attribute → (model, pk), users under "users."."""

    rows: dict[str, tuple[type, int]] = {}
    committed = False  # built outside a transaction, so it outlives the test that asked for it
    added: dict[type, int] = {}  # model → the highest id it had before the world was built


def build_world() -> SimpleNamespace:
    """The test world as fresh objects: read back from the database when it is there, else built."""
    w = load_world()
    if w is None:
        before = _highest_ids()
        w = _build()
        _Built.rows = _rows(w)
        _Built.committed = not connection.in_atomic_block
        _Built.added = {
            model: mark for model, mark in before.items() if model._base_manager.filter(pk__gt=mark).exists()
        }
    return w


def hide_world() -> None:
    """Deletes the committed world inside the current test's transaction (the rollback brings it
    back): a test that did not ask for the world sees the database as the migrations left it."""
    for model, mark in _Built.added.items():
        model._base_manager.filter(pk__gt=mark)._raw_delete(connection.alias)


def empty_database() -> None:
    """For a test outside a transaction (transactional_db, live_server): the database as the
    migrations left it, less the world. Emptied with `flush` (what the test does when it ends),
    then the seed data the migrations put in."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    forget_world()
    ensure_seed_data()


def restore_sequences() -> None:
    """After a test that hid the world: PostgreSQL sequences are not rolled back, and a test that
    set them (setval after numbering its own rows, as the bulk writer does) may have set them
    below the world's ids. Put them back above every committed row."""
    if connection.vendor != "postgresql" or not _Built.added:
        return
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(_Built.added)):
            cursor.execute(sql)


def _highest_ids() -> dict[type, int]:
    from django.apps import apps
    from django.db.models import Max

    numbered = ("AutoField", "BigAutoField", "SmallAutoField")
    return {
        model: model._base_manager.aggregate(m=Max("pk"))["m"] or 0
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.pk.get_internal_type() in numbered
    }


def world_built_committed() -> bool:
    """True when the world was last built outside a transaction (it outlived its test)."""
    return _Built.committed


def world_committed() -> bool:
    """True when the database holds the world outside any test's transaction."""
    return _Built.committed and load_world() is not None


def forget_world() -> None:
    _Built.rows, _Built.committed = {}, False


def _rows(w):
    rows = {k: (type(v), v.pk) for k, v in vars(w).items() if k != "users"}
    rows |= {f"users.{k}": (type(v), v.pk) for k, v in vars(w.users).items()}
    return rows


def load_world() -> SimpleNamespace | None:
    """The world read back from the database (one query per model), or None if it is not there
    (never built, flushed by a transactional test, or rolled back with the test that built it)."""
    if not _Built.rows:
        return None
    wanted = defaultdict(set)
    for model, pk in _Built.rows.values():
        wanted[model].add(pk)
    found = {model: model._base_manager.in_bulk(pks) for model, pks in wanted.items()}
    if any(len(found[model]) != len(pks) for model, pks in wanted.items()):
        return None
    objects = {(model, pk): obj for model, rows in found.items() for pk, obj in rows.items()}
    if objects[_Built.rows["users.admin"]].username != "admin":  # another world reusing the ids
        return None
    for obj in objects.values():  # parents cached on children, as building them left them
        for f in obj._meta.concrete_fields:
            if f.many_to_one and (parent := objects.get((f.related_model, getattr(obj, f.attname)))) is not None:
                f.set_cached_value(obj, parent)
    w, users = SimpleNamespace(), SimpleNamespace()
    for attr, key in _Built.rows.items():
        if attr.startswith("users."):
            setattr(users, attr[6:], objects[key])
        else:
            setattr(w, attr, objects[key])
    w.users = users
    return w


def _build() -> SimpleNamespace:
    ensure_seed_data()
    w = SimpleNamespace()
    w.sub = create_object(Subdistrict, actor=None, name="测试街道")
    w.c1 = create_object(Community, actor=None, subdistrict=w.sub, name="馨和苑社区")
    w.c2 = create_object(Community, actor=None, subdistrict=w.sub, name="西湖社区")
    w.grid_a = create_object(Grid, actor=None, community=w.c1, name="第一网格", boundary=SQUARE)
    w.grid_b = create_object(Grid, actor=None, community=w.c1, name="第二网格")
    w.grid_c = create_object(Grid, actor=None, community=w.c2, name="第一网格")
    w.pm = create_object(Organisation, actor=None, kind=Kind.PROPERTY, name="宁和物业", subdistrict=w.sub)
    w.dept = create_object(Organisation, actor=None, kind=Kind.DEPARTMENT, name="综合执法局", subdistrict=w.sub)
    w.cp1 = create_object(Compound, actor=None, community=w.c1, name="馨和苑", property_company=w.pm, boundary=SQUARE)
    w.cp2 = create_object(Compound, actor=None, community=w.c2, name="西湖小区")
    w.bld_a = create_object(Building, actor=None, compound=w.cp1, grid=w.grid_a, name="1号楼")
    w.bld_b = create_object(Building, actor=None, compound=w.cp1, grid=w.grid_b, name="2号楼")
    w.bld_c = create_object(Building, actor=None, compound=w.cp2, grid=w.grid_c, name="1号楼")
    w.tag_party = Tag.objects.create(name="党员")
    w.tag_poor = Tag.objects.create(name="低保", sensitive=True)
    serial = 0
    for key, bld in (("a", w.bld_a), ("b", w.bld_b), ("c", w.bld_c)):
        unit = create_object(Unit, actor=None, building=bld, name="1单元")
        setattr(w, f"unit_{key}", unit)
        for n in (1, 2):
            house = create_object(House, actor=None, unit=unit, number=f"{n}01", area=Decimal("89.50"))
            hh = create_object(Household, actor=None, house=house)
            setattr(w, f"house_{key}{n}", house)
            setattr(w, f"hh_{key}{n}", hh)
            for rel in (Relation.HEAD, Relation.SPOUSE):
                serial += 1
                p = create_object(
                    Person,
                    actor=None,
                    household=hh,
                    name=f"居民{key}{n}{rel[0]}",
                    relation=rel,
                    id_number=make_id(serial),
                    phone=f"1380000{serial:04d}",
                )
                setattr(w, f"p_{key}{n}{'h' if rel == Relation.HEAD else 's'}", p)
    w.p_a1h.tags.add(w.tag_party)
    w.users = SimpleNamespace(
        admin=_user("admin", Role.ADMIN),
        subdistrict=_user("subdistrict", Role.SUBDISTRICT_STAFF, subdistrict=w.sub),
        community=_user("community", Role.COMMUNITY_STAFF, community=w.c1),
        other_community=_user("other_community", Role.COMMUNITY_STAFF, community=w.c2),
        grid_a=_user("grid_a", Role.GRID_WORKER, grid=w.grid_a),
        grid_b=_user("grid_b", Role.GRID_WORKER, grid=w.grid_b),
        building_head=_user("building_head", Role.BUILDING_HEAD, building=w.bld_a),
        property=_user("property", Role.PROPERTY_STAFF, organisation=w.pm),
        department=_user("department", Role.DEPARTMENT_STAFF, organisation=w.dept),
        resident=_user("resident", Role.RESIDENT, household=w.hh_a1),
        nobody=_user("nobody"),
    )
    return w


def log_in(client, user):
    """Log `user` in on a test client; staff who need the second factor (accounts.middleware) get
    a session verified the way django_otp.login marks it, with a confirmed device of their own."""
    client.force_login(user)
    if user.requires_two_factor:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _created = TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "test"})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def response_text(response) -> str:
    """What a person reads in a response: the page, the API's JSON, every cell of an xlsx, the
    text of a PDF; nothing of an image. Streamed responses (exports) are read whole."""
    import io

    kind = response.get("Content-Type", "")
    if kind.startswith("image/"):
        return ""
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            " ".join(str(v) for v in row if v is not None) for ws in wb for row in ws.iter_rows(values_only=True)
        )
    if "pdf" in kind:
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return body.decode()


@contextmanager
def database_refuses_inserts_into(table: str):
    """The database refuses every INSERT into `table` (a full disk, a lost connection) — made to
    happen by an execute_wrapper on this connection, nothing mocked: for tests that an action
    writes all of its rows or none ("never half-written records"). An action without its own
    transaction leaves its first writes in the caller's: committed in a view (autocommit); in a
    test's transaction Django then refuses the next query (TransactionManagementError)."""
    from django.db import DatabaseError

    def refuse(execute, sql, params, many, context):
        if sql.startswith(f'INSERT INTO "{table}"'):
            raise DatabaseError(f"could not write to {table}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield
