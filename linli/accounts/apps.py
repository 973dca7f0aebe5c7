from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "linli.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from . import (
            signals,  # noqa: F401 - sign-in events into the audit log
            workflow,  # noqa: F401 - the registration's lifecycle, for its docs page
        )
