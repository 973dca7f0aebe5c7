"""Signing in to the API.

POST /api/v1/auth/token/ exchanges a username and password — and, for the roles that must sign
in with two factors, the code from the authenticator app (`otp_token`) — for a token that
expires after LINLI_API_TOKEN_DAYS. authenticate() gets Django's own request, not DRF's
wrapper, so django-axes counts a failure against the right (account, client) pair and its
middleware answers a lockout (429, JSON). GET /api/v1/auth/tokens/ lists one's own tokens and
POST /api/v1/auth/tokens/{id}/revoke/ revokes one.
"""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from linli.accounts import actions, two_factor
from linli.accounts.lockout import lock_minutes, remaining_attempts
from linli.accounts.models import ApiToken
from linli.core.models import AuditLog


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=gettext_lazy("username"), max_length=150)
    password = serializers.CharField(
        label=gettext_lazy("password"), max_length=4096, style={"input_type": "password"}, trim_whitespace=False
    )
    otp_token = serializers.CharField(
        label=gettext_lazy("Authentication code"),
        max_length=16,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("Required for roles that sign in with two factors."),
    )
    name = serializers.CharField(
        label=gettext_lazy("name"),
        max_length=80,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("What the token is for, e.g. a phone; shown in the token list."),
    )


class TokenSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "hint",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "two_factor",
            "current",
        ]

    def get_current(self, token) -> bool:
        return token == self.context["request"].auth


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    id = serializers.IntegerField()
    name = serializers.CharField()
    expires_at = serializers.DateTimeField()


class TokenView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=TokenRequestSerializer, responses=IssuedTokenSerializer)
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        django_request = request._request
        user = authenticate(django_request, username=d["username"], password=d["password"])
        if user is None:
            raise ValidationError({"non_field_errors": [self.wrong_password(django_request)]}, code="invalid_login")
        second = two_factor.needs_second_factor(user)
        if second:
            self.check_code(django_request, user, d.get("otp_token", ""))
        token, secret = actions.issue_api_token(user, name=d.get("name", ""), two_factor=second, request=django_request)
        body = {"token": secret, "id": token.pk, "name": token.name, "expires_at": token.expires_at}
        return Response(IssuedTokenSerializer(body).data, status=status.HTTP_200_OK)

    @staticmethod
    def wrong_password(request):
        message = _("Wrong username or password.")
        left = remaining_attempts(request)
        if left:
            message += " " + _(
                "%(n)s more tries before this account is locked for %(m)s minutes on this network address."
            ) % {"n": left, "m": lock_minutes()}
        return message

    @staticmethod
    def check_code(request, user, code):
        if not two_factor.confirmed_totp(user):
            raise PermissionDenied(
                _(
                    "This account must first set up two-factor sign-in on the web page (log in there once), then it "
                    "can use the API."
                ),
                code="two_factor_setup_required",
            )
        if not code:
            raise ValidationError(
                {
                    "otp_token": [
                        _("This account must give the authentication code (the 6 digits in the authenticator app).")
                    ]
                },
                code="two_factor_required",
            )
        device, reason = two_factor.match(user, code)
        if device is None:
            actions.record_sign_in(
                AuditLog.Action.LOGIN_FAILED, user=user, request=request, note=_("second factor: wrong or refused code")
            )
            raise ValidationError({"otp_token": [reason]}, code="otp_invalid")


class TokenViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """One's own API tokens: list, and revoke (a revoked token is refused with that reason)."""

    serializer_class = TokenSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user)

    @extend_schema(request=None, responses=TokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = self.get_object()
        actions.revoke(token, actor=request.user)
        return Response(self.get_serializer(token).data)
