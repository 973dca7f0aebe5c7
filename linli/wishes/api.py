"""/api/v1/ of the wish domain, with the same scope as the screens: wishes (read; POST posts one —
a resident for their household, staff with `household` on its behalf; the moves approve / reject /
claim / release / confirm / withdraw, confirm with a `photo` in multipart), and the public wall of
a community (no login). Who wished is never in the API's wish rows: `wisher` (masked) only for
the household itself and the community's staff."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from linli.core.api.filters import filterset
from linli.core.api.moves import MovesMixin
from linli.core.api.serializers import ScopedRelatedField
from linli.core.api.views import ScopedReadOnlyViewSet
from linli.core.masking import mask_name
from linli.people.models import Household, Person
from linli.places.models import Community

from . import actions
from .models import ON_WALL, Category, Wish
from .views import PUBLIC_FIELDS, WALL_PAGE, private
from .workflow import WISH


class WallSerializer(serializers.ModelSerializer):
    """A wish as the wall shows it: nothing of the household, the wisher or the poster."""

    class Meta:
        model = Wish
        fields = ["id", "title", "story", "category", "value_fen", "state"]


class WishSerializer(serializers.ModelSerializer):
    """A wish in scope; `wisher` (masked) only to the household and the community's staff."""

    wisher = serializers.SerializerMethodField()

    class Meta:
        model = Wish
        fields = [
            "id",
            "community",
            "title",
            "story",
            "category",
            "value_fen",
            "state",
            "version",
            "published_at",
            "claimant_kind",
            "credit",
            "credit_name",
            "deliver_by",
            "delivered_at",
            "wisher",
        ]

    def get_wisher(self, wish) -> str | None:
        request = self.context.get("request")
        if request is None or not wish.wisher_id or not private(wish, request.user):
            return None
        return mask_name(wish.wisher.name)


class PostSerializer(serializers.Serializer):
    """A wish: `value_fen` in fen (at most the community's limit). Staff give the `household` (and
    optionally the `wisher`); a resident posts for their own household."""

    household = ScopedRelatedField(Household, action="manage", domain="wishes", required=False, allow_null=True)
    wisher = ScopedRelatedField(Person, action="manage", domain="wishes", required=False, allow_null=True)
    title = serializers.CharField(max_length=40)
    story = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    category = serializers.ChoiceField(choices=Category.choices, default=Category.OTHER)
    value_fen = serializers.IntegerField(min_value=0)


class WishViewSet(MovesMixin, ScopedReadOnlyViewSet):
    """微心愿 in scope; POST /wishes/ posts one; POST …/approve/, …/reject/, …/claim/, …/release/,
    …/confirm/ (multipart with `photo`), …/withdraw/ move it."""

    model = Wish
    serializer_class = WishSerializer
    filterset_class = filterset(Wish, ids=("community",), fields=["state"])
    select = ("wisher",)
    http_method_names = ["get", "post", "head", "options"]
    lifecycle = WISH
    move_response = WishSerializer

    def get_scope_action(self):
        if self.action == "create":  # staff post on behalf of a household; a resident for their own
            data = self.request.data if isinstance(self.request.data, dict) else {}
            return "manage" if data.get("household") else "post"
        return super().get_scope_action()

    def moved(self, pk):
        wish = Wish.objects.select_related("wisher").get(pk=pk)
        return Response(WishSerializer(wish, context={"request": self.request}).data)

    @extend_schema(request=PostSerializer, responses={201: WishSerializer})
    def create(self, request, *args, **kwargs):
        body = PostSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        d = dict(body.validated_data)
        d["value"] = d.pop("value_fen")
        household = d.pop("household", None)
        try:
            if household is not None:
                wish = actions.post_on_behalf(actor=request.user, household=household, **d)
            else:
                d.pop("wisher", None)
                wish = actions.post_wish(actor=request.user, **d)
        except DjangoPermissionDenied:
            raise PermissionDenied from None
        return Response(WishSerializer(wish, context={"request": request}).data, status=status.HTTP_201_CREATED)


class WallPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = WallSerializer(many=True)


@extend_schema(
    responses=WallPageSerializer,
    summary="心愿墙",
    parameters=[OpenApiParameter("page", int, required=False, description="页码")],
)
@api_view(["GET"])
@permission_classes([AllowAny])
def wall(request, community):
    """A community's wish wall, without login: the published and claimed wishes, anonymised."""
    if not Community.objects.filter(pk=community).exists():
        raise NotFound
    rows = Wish.objects.filter(community_id=community, state__in=ON_WALL).only(*PUBLIC_FIELDS)
    page = Paginator(rows.order_by("-state", "-published_at", "-id"), WALL_PAGE).get_page(request.GET.get("page"))
    return Response(
        {
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "results": WallSerializer(page.object_list, many=True).data,
        }
    )
