import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_search_allowance():
    # the per-user search throttle lives in the cache, which outlives each test's database
    cache.clear()
    yield
    cache.clear()
