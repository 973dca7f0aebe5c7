"""schemathesis over every operation of the OpenAPI document the app serves (/api/v1/openapi.json),
as an administrator (a token issued with the second factor) and as a resident, in-process
through the WSGI application: no server error, and every answer conforms to the document.

One test per operation and persona, so xdist spreads them; each runs in its own transaction, so
what the fuzz writes (and deletes) is rolled back and the shared world comes back unchanged.
The data is the personal-data crawl's (the world with requests — an anonymous one, rated and
commented —, a topic, a meeting, an owners' vote, a consent campaign), and path ids are drawn
from the first ids as often as from anywhere, so the operations reach rows that exist (and, for
a resident, rows outside the scope). EXAMPLES bounds the cases per
operation (docs/testing.md gives the figures).
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from linli.accounts.actions import issue_api_token
from linli.core.tests import test_privacy_crawl as crawl

# More for a longer hunt: LINLI_FUZZ_EXAMPLES=500, and LINLI_FUZZ_COVERAGE=1 for schemathesis'
# coverage phase (a few hundred boundary cases per operation: an hour or more on two cores).
EXAMPLES = int(os.environ.get("LINLI_FUZZ_EXAMPLES", 25))
COVERAGE = os.environ.get("LINLI_FUZZ_COVERAGE", "") == "1"
CHECKS = [not_a_server_error, response_schema_conformance]
WORLD_IDS = list(range(1, 13))  # every table of the world has rows with some of these ids

CONFIG = SchemathesisConfig.from_str(f"[phases.coverage]\nenabled = {str(COVERAGE).lower()}\n")
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler(), config=CONFIG)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """An id that exists half of the time (ids a fuzzer draws from 64 bits never do)."""
    if not path_parameters or "id" not in path_parameters:
        return st.just(path_parameters)
    return st.one_of(st.just(path_parameters), st.sampled_from(WORLD_IDS).map(lambda i: path_parameters | {"id": i}))


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def token(user, two_factor=False):
    # Schemathesis's WSGI transport asks for gzip as `requests` does but never unpacks it: the
    # fuzz reads plain bodies (the pages' compression has tests of its own, test_static_serving)
    return {
        "Authorization": f"Token {issue_api_token(user, name='fuzz', two_factor=two_factor)[1]}",
        "Accept-Encoding": "identity",
    }


content = crawl.content  # requests (one anonymous, rated, commented), a topic, a meeting, a vote …


@pytest.fixture(autouse=True)
def connection_kept_across_requests(content):
    """The bare WSGI handler closes "old" connections when a request starts and finishes, as a
    server would; inside the test's transaction that closes the test's own connection on
    PostgreSQL (autocommit differs from the settings). Django's test client does the same as this
    around each of its requests, and connects them again after: hence after `content`, whose
    set-up goes through the test client."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def admin_headers(content):
    return token(content.world.users.admin, two_factor=True)  # an administrator's token needs the second factor


@pytest.fixture
def resident_headers(content):
    return token(content.world.users.resident)


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_api_as_an_administrator(case, admin_headers):
    case.call_and_validate(headers=admin_headers, checks=CHECKS)


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_api_as_a_resident(case, resident_headers):
    case.call_and_validate(headers=resident_headers, checks=CHECKS)
