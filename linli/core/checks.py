"""`linli check --deploy`: the values settings refuse with DEBUG off (linli.core.config),
reported whatever DEBUG is, so a development environment never reads "no issues"."""

from django.conf import settings
from django.core.checks import Error, Tags, register

from . import config


@register(Tags.security, deploy=True)
def production_secrets(app_configs, **kwargs):
    found = config.problems(
        debug=False,
        secret_key=settings.SECRET_KEY,
        field_keys=settings.LINLI_FIELD_KEYS,
        hash_key=settings.LINLI_HASH_KEY,
        trusted_proxies=settings.LINLI_TRUSTED_PROXIES,
    )
    return [Error(message, hint="docs/deploy.md", id=check_id) for check_id, message in found]
