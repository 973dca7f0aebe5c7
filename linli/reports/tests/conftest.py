"""The party, three lists' and wishes' worlds, for the 党建共建 figures (test_cobuilding.py)."""

from linli.party.tests.conftest import party  # noqa: F401
from linli.projects.tests.conftest import lists  # noqa: F401
from linli.wishes.tests.conftest import _media, wishes  # noqa: F401
