"""PostgreSQL restarted under load costs only the requests in flight: a request that needs a new
connection while the server is down or starting waits for it (LINLI_DB_CONNECT_WAIT) instead of
failing. Proved against a port that refuses connections for a moment, then forwards to the test
database's server; `make soak` proves it with a real restart (docs/benchmarks.md)."""

import socket
import threading
import time

import pytest
from django.db import OperationalError, connection, connections

pytestmark = pytest.mark.django_db


def _pump(source, sink):
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        sink.close()


def refusing_then_forwarding(seconds):
    """A loopback port where nothing listens for `seconds`, then a relay to PostgreSQL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    upstream = (connection.settings_dict["HOST"] or "127.0.0.1", int(connection.settings_dict["PORT"] or 5432))

    def serve():
        time.sleep(seconds)
        server = socket.create_server(("127.0.0.1", port))
        while True:
            client, _addr = server.accept()
            remote = socket.create_connection(upstream)
            threading.Thread(target=_pump, args=(client, remote), daemon=True).start()
            threading.Thread(target=_pump, args=(remote, client), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return port


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("reconnecting is PostgreSQL's (SQLite is a file)")


def connect(**changes):
    """A new connection of Django's own kind to the test database, settings changed."""
    other = type(connections["default"])(connection.settings_dict | changes)  # not in `connections`: closed by the test
    other.ensure_connection()
    return other


def test_a_new_connection_waits_for_postgresql_to_come_back(postgresql, settings):
    settings.LINLI_DB_CONNECT_WAIT = 10
    port = refusing_then_forwarding(1.0)
    began = time.monotonic()
    other = connect(HOST="127.0.0.1", PORT=port)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
    finally:
        other.close()
    assert time.monotonic() - began >= 1.0


def test_the_wait_is_bounded(postgresql, settings):
    settings.LINLI_DB_CONNECT_WAIT = 0.5
    port = refusing_then_forwarding(3600)
    began = time.monotonic()
    with pytest.raises(OperationalError, match="refused"):
        connect(HOST="127.0.0.1", PORT=port)
    assert 0.5 <= time.monotonic() - began < 3


def test_an_error_that_waiting_cannot_cure_fails_at_once(postgresql, settings):
    settings.LINLI_DB_CONNECT_WAIT = 10
    began = time.monotonic()
    with pytest.raises(OperationalError, match="linli_no_such_database"):
        connect(NAME="linli_no_such_database")
    assert time.monotonic() - began < 2
