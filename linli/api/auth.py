"""Signing in to the API: POST /api/v1/auth/token/ exchanges a username and password for a token.

authenticate() gets Django's own request, not DRF's wrapper, so django-axes counts the failure
against the right (account, client) pair and its middleware answers a lockout (429, JSON).
"""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from linli.accounts.lockout import lock_minutes, remaining_attempts


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=gettext_lazy("username"), max_length=150)
    password = serializers.CharField(label=gettext_lazy("password"), max_length=4096, style={"input_type": "password"}, trim_whitespace=False)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=TokenRequestSerializer, responses=TokenResponseSerializer)
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        django_request = request._request
        user = authenticate(django_request, **data.validated_data)
        if user is None:
            message = _("Wrong username or password.")
            left = remaining_attempts(django_request)
            if left:
                message += " " + _("%(n)s more tries before this account is locked for %(m)s minutes on this network address.") % {"n": left, "m": lock_minutes()}
            raise ValidationError({"non_field_errors": [message]}, code="invalid_login")
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
