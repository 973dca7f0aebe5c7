"""The party, three lists', wishes', funds' and facilities' worlds, for the figures of 党建共建 and
of 维修资金与设施 (test_cobuilding.py)."""

from linli.facilities.tests.conftest import fac  # noqa: F401
from linli.funds.tests.conftest import funds  # noqa: F401
from linli.party.tests.conftest import party  # noqa: F401
from linli.projects.tests.conftest import lists  # noqa: F401
from linli.wishes.tests.conftest import _media, wishes  # noqa: F401
