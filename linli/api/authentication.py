"""`Authorization: Token <secret>` with an accounts.ApiToken: refused with the reason (unknown,
revoked, expired, or issued without the second factor a role now needs) as a 401."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from linli.accounts.models import ApiToken


class Refused(exceptions.AuthenticationFailed):
    def __init__(self, message, code):
        super().__init__(message, code=code)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise Refused(_("Send the header as: Authorization: Token <token>."), "token_invalid")
        token = ApiToken.find(parts[1].decode("latin-1"))
        if token is None or not token.user.is_active:
            raise Refused(_("This API token is not valid."), "token_invalid")
        if token.revoked_at:
            at = timezone.localtime(token.revoked_at).strftime("%Y-%m-%d %H:%M")
            raise Refused(_("This API token was revoked at %(at)s.") % {"at": at}, "token_revoked")
        if token.expires_at <= timezone.now():
            at = timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")
            raise Refused(
                _("This API token expired at %(at)s; get a new one from /api/v1/auth/token/.") % {"at": at},
                "token_expired",
            )
        if token.user.requires_two_factor and not token.two_factor:
            raise Refused(
                _(
                    "This API token was issued without the second factor your role now needs; get a new one from "
                    "/api/v1/auth/token/ with otp_token."
                ),
                "two_factor_required",
            )
        token.touch()
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "linli.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>` from POST /api/v1/auth/token/",
        }
