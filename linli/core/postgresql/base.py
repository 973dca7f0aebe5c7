"""Django's PostgreSQL backend, with one change: a new connection waits for a server that is
restarting, instead of failing at once.

While PostgreSQL restarts (a configuration change, a minor upgrade, a failover), it refuses
connections for a few seconds: "the database system is shutting down", then "Connection
refused", then "the database system is starting up". Without waiting, every request that needs
a connection in those seconds answers 500; with it, they answer late, and the restart costs
only the requests whose queries were running when it began (measured by `make soak`,
docs/benchmarks.md). The wait is bounded by LINLI_DB_CONNECT_WAIT (seconds, default 10; 0 turns
it off). Errors that waiting cannot cure fail at once when the server says so in English; in
other languages of `lc_messages` they fail when the wait is over.
"""

import time

from django.conf import settings
from django.db.backends.postgresql import base

PERMANENT = ("does not exist", "authentication failed", "no pg_hba.conf entry")


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        deadline = time.monotonic() + settings.LINLI_DB_CONNECT_WAIT
        pause = 0.05
        while True:
            try:
                return super().get_new_connection(conn_params)
            except self.Database.OperationalError as exc:
                left = deadline - time.monotonic()
                # psycopg gives no SQLSTATE for a failed connection: the message is all there is
                if left <= 0 or any(words in str(exc) for words in PERMANENT):
                    raise
            time.sleep(min(pause, left))
            pause = min(2 * pause, 0.5)
