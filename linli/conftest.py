import pytest

from linli import testing
from linli.testing import build_world, log_in


@pytest.fixture(scope="session")
def _world_db(django_db_setup, django_db_blocker):
    """Builds the world once per test database, committed, before any test's transaction."""
    from django.test import override_settings

    _World.blocker = django_db_blocker
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        testing.forget_world()
        _drop_stale_world()
        build_world()


class _World:
    blocker = None
    unsure = False  # a test since the last look may have flushed the database
    hidden = False  # the test that just ran had the world hidden


def _drop_stale_world():
    """A test database kept from an earlier run (--reuse-db) still holds that run's world."""
    from django.core.management import call_command

    from linli.accounts.models import User

    if User.objects.filter(username="admin").exists():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def world(_world_db, db):
    """The personas and places of linli.testing, as fresh objects for this test."""
    return build_world()


@pytest.fixture(autouse=True)
def _world_only_when_asked(request):
    """A test that uses the database without asking for the world does not see it."""
    if "world" in request.fixturenames or not testing.world_built_committed():
        return
    if not (
        request.node.get_closest_marker("django_db")
        or {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    ):
        return
    if _flushes(request.node):
        # Outside a transaction the world's rows cannot be deleted one table at a time (PostgreSQL
        # checks each statement's foreign keys); the test empties the database when it ends anyway.
        request.getfixturevalue("transactional_db")
        testing.empty_database()
    else:
        request.getfixturevalue("db")
        testing.hide_world()
    _World.hidden = True


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    # After a test that flushed the database (or rolled back a world it had to build), build the
    # world again, committed, for the next test that wants it, instead of in each test's transaction.
    result = yield
    # After the last test the session's fixtures are gone (the test database with them).
    if _World.hidden and _World.blocker is not None and nextitem is not None:
        with _World.blocker.unblock():
            testing.restore_sequences()
        _World.hidden = False
    _World.unsure = _World.unsure or _flushes(item) or not testing.world_built_committed()
    if (
        _World.unsure
        and _World.blocker is not None
        and nextitem is not None
        and "world" in getattr(nextitem, "fixturenames", ())
    ):
        from django.test import override_settings

        with _World.blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            if not testing.world_committed():
                testing.forget_world()
                build_world()
        _World.unsure = False
    return result


def _flushes(item):
    """Transactional tests empty every table when they end (Django's TransactionTestCase)."""
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return (
        "transactional_db" in names
        or "live_server" in names
        or bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
    )


@pytest.fixture
def login(client):
    def _login(user):
        return log_in(client, user)

    return _login


# Argon2 is the production hasher (see settings); tests log in hundreds of times.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
