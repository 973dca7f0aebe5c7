"""/api/v1/ of the fund domain, with the same scope as the screens: funds (read, open), their
sub-accounts (read; POST …/book/ books a deposit, interest or a top-up), ledger entries (read;
POST …/reverse/ reverses one), uses (read, propose, and the moves of workflow.USE). Amounts in
fen (integers) in answers; a move's amounts in yuan with two decimals, as the screens enter them."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from linli.core.api.filters import filterset
from linli.core.api.moves import MovesMixin
from linli.core.api.serializers import ScopedRelatedField
from linli.core.api.views import ScopedReadOnlyViewSet
from linli.places.api import PLACES
from linli.places.models import Building, Compound, Unit

from . import actions
from .models import Account, Emergency, Entry, Fund, Use
from .status import floor_status
from .workflow import USE


def _denied(func):
    try:
        return func()
    except DjangoPermissionDenied:
        raise PermissionDenied from None


class FundSerializer(serializers.ModelSerializer):
    compound_name = serializers.CharField(source="compound.name", read_only=True)
    floor = serializers.SerializerMethodField(help_text="fen")
    available = serializers.SerializerMethodField(help_text="fen that uses may still take")
    below_floor = serializers.SerializerMethodField()

    class Meta:
        model = Fund
        fields = [
            "id", "compound", "compound_name", "community", "bank", "balance", "first_total",
            "floor", "available", "below_floor", "below_floor_since",
        ]  # fmt: skip

    def get_floor(self, fund) -> int:
        return floor_status(fund).floor

    def get_available(self, fund) -> int:
        return floor_status(fund).available

    def get_below_floor(self, fund) -> bool:
        return floor_status(fund).below


class OpenFundSerializer(serializers.Serializer):
    compound = ScopedRelatedField(Compound, domain="funds")
    bank = serializers.CharField(max_length=60, required=False, allow_blank=True)

    class Meta:
        model = Fund


class FundViewSet(ScopedReadOnlyViewSet):
    """维修资金 in scope (a resident: their compound's); POST opens a compound's fund (funds.change)."""

    model = Fund
    serializer_class = FundSerializer
    filterset_class = filterset(Fund, ids=PLACES[:2] + ("compound",))
    select = ("compound",)
    http_method_names = ["get", "post", "head", "options"]

    def get_scope_action(self):
        return "change" if self.action == "create" else "view"

    @extend_schema(request=OpenFundSerializer, responses={201: FundSerializer})
    def create(self, request, *args, **kwargs):
        body = OpenFundSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        fund = _denied(lambda: actions.open_fund(actor=request.user, **body.validated_data))
        return Response(FundSerializer(fund).data, status=status.HTTP_201_CREATED)


class AccountSerializer(serializers.ModelSerializer):
    house_label = serializers.SerializerMethodField()

    class Meta:
        model = Account
        fields = ["id", "fund", "house", "house_label", "first_deposit", "balance", "needs_topup"]

    def get_house_label(self, account) -> str:
        h = account.house
        return f"{h.unit.building.name}{h.unit.name}{h.number}"


class EntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Entry
        fields = [
            "id",
            "account",
            "kind",
            "amount",
            "balance_after",
            "use",
            "reverses",
            "booked_on",
            "note",
            "created_at",
        ]


class BookSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(k.value, k.label) for k in actions.MANUAL_KINDS])
    amount = serializers.IntegerField(min_value=1, help_text="fen")
    booked_on = serializers.DateField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ReverseSerializer(serializers.Serializer):
    booked_on = serializers.DateField()
    note = serializers.CharField(max_length=200)


class AccountViewSet(ScopedReadOnlyViewSet):
    """分户账 in scope (a resident: their own house's); `needs_topup=true`: the 需续交 list."""

    model = Account
    serializer_class = AccountSerializer
    filterset_class = filterset(Account, ids=PLACES + ("fund",), fields=["needs_topup"])
    select = ("house__unit__building",)
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=BookSerializer, responses={201: EntrySerializer}, summary="记一笔（首期交存、利息、续交）")
    @action(detail=True, methods=["post"], scope_action="view")
    def book(self, request, pk=None):
        account = self.get_object()
        body = BookSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = _denied(lambda: actions.book_entry(actor=request.user, account=account, **body.validated_data))
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class EntryViewSet(ScopedReadOnlyViewSet):
    """Ledger entries in scope, newest first (immutable; POST …/reverse/ posts the opposite)."""

    model = Entry
    serializer_class = EntrySerializer
    filterset_class = filterset(Entry, ids=("community", "compound", "account", "fund", "use"), fields=["kind"])
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=ReverseSerializer, responses={201: EntrySerializer}, summary="冲正")
    @action(detail=True, methods=["post"], scope_action="view")
    def reverse(self, request, pk=None):
        entry = self.get_object()
        body = ReverseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = _denied(lambda: actions.reverse_entry(actor=request.user, entry=entry, **body.validated_data))
        return Response(EntrySerializer(row).data, status=status.HTTP_201_CREATED)


class UseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Use
        fields = [
            "id", "fund", "compound", "title", "description", "emergency", "buildings", "unit", "budget", "vote",
            "contractor", "works_started_on", "works_finished_on", "invoice_total", "invoice_reference",
            "approved_at", "paid_at", "balance_after", "houses", "state", "version", "created_at",
        ]  # fmt: skip


class ProposeSerializer(serializers.Serializer):
    fund = ScopedRelatedField(Fund)
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    emergency = serializers.ChoiceField(choices=Emergency.choices, required=False, allow_blank=True)
    buildings = serializers.PrimaryKeyRelatedField(queryset=Building.objects.all(), many=True, required=False)
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False, allow_null=True)
    budget = serializers.IntegerField(min_value=1, help_text="fen")

    class Meta:
        model = Use


class UseViewSet(MovesMixin, ScopedReadOnlyViewSet):
    """维修资金使用 in scope; POST proposes one (funds.change), POST …/<move>/ moves it."""

    model = Use
    serializer_class = UseSerializer
    filterset_class = filterset(Use, ids=PLACES[:2] + ("compound", "fund"), fields=["state", "emergency"])
    prefetch = ("buildings",)
    http_method_names = ["get", "post", "head", "options"]
    lifecycle = USE
    move_response = UseSerializer

    def get_scope_action(self):
        return "change" if self.action == "create" else super().get_scope_action()

    def moved(self, pk):
        return Response(UseSerializer(Use.objects.prefetch_related("buildings").get(pk=pk)).data)

    @extend_schema(request=ProposeSerializer, responses={201: UseSerializer})
    def create(self, request, *args, **kwargs):
        body = ProposeSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        use = _denied(lambda: actions.propose_use(actor=request.user, **body.validated_data))
        return Response(UseSerializer(use).data, status=status.HTTP_201_CREATED)
