"""Serializer bases of /api/v1/. They validate input and hand it to the audited actions
(core.actions); they never save a row themselves.

A reference to a place (the household of a new person, the unit of a new house) must lie in the
user's "change" scope of the model being written — the same rule as the UI's create views. An
unknown id and an id outside the scope get the same answer, so the API tells nobody which rows
exist beyond their scope.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from linli.core import actions

# Ancestor keys copied down the tree (read-only: the model's save() keeps them).
ANCESTORS = ("subdistrict", "community", "grid", "compound", "building", "unit")


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key looked up only among the rows the user may `action` with the domain of the
    serializer's model (or `domain`). An unchanged value on update is accepted as it is."""

    default_error_messages = {"out_of_scope": _("This place is outside your scope.")}

    def __init__(self, model, *, action="change", domain=None, filters=None, **kwargs):
        self.scope_action, self.scope_domain, self.filters = action, domain, filters or {}
        super().__init__(queryset=model.objects.all(), **kwargs)

    def get_queryset(self):
        domain = self.scope_domain or self.parent.Meta.model.scope_domain
        user = self.context["request"].user
        return self.queryset.model.objects.restrict(user, self.scope_action, domain=domain).filter(**self.filters)

    def to_internal_value(self, data):
        instance = getattr(self.parent, "instance", None)
        if instance is not None and str(data) == str(getattr(instance, f"{self.source}_id")):
            return getattr(instance, self.source)
        if isinstance(data, bool) or not str(data).isdigit():
            self.fail("incorrect_type", data_type=type(data).__name__)
        obj = self.get_queryset().filter(pk=data).first()
        if obj is None:
            self.fail("out_of_scope")
        return obj


class ActionSerializer(serializers.ModelSerializer):
    """Creates and updates through core.actions (full_clean, save and audit in one transaction).
    Model validation errors surface as 400s with field paths (see errors.py)."""

    display = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = None
        # Fields fixed at creation: moving a row would leave stale ancestor keys below it.
        create_only: tuple[str, ...] = ()

    def get_validators(self):
        # Uniqueness is the model's business (full_clean in the action), checked once.
        return []

    def validate(self, attrs):
        errors = {}
        for name in getattr(self.Meta, "create_only", ()):
            if self.instance is not None and name in attrs and attrs[name] != getattr(self.instance, name):
                errors[name] = _("This cannot be changed after creation.")
        if errors:
            raise serializers.ValidationError(errors, code="create_only")
        return attrs

    def _split(self, data):
        """(plain fields, many-to-many fields): the action sets the latter once the row exists."""
        m2m = {f.name for f in self.Meta.model._meta.many_to_many}
        plain = {k: v for k, v in data.items() if k not in m2m}
        return plain, {k: v for k, v in data.items() if k in m2m}

    def create(self, validated_data):
        data, m2m = self._split(validated_data)
        return actions.create_object(self.Meta.model, actor=self.context["request"].user, m2m=m2m, **data)

    def update(self, instance, validated_data):
        data, m2m = self._split(validated_data)
        return actions.update_object(instance, actor=self.context["request"].user, m2m=m2m, **data)


def meta(model, fields, create_only=()):
    """The Meta of an ActionSerializer: `id`, `display` and `fields`; `create_only` fields are
    refused on update."""
    # Ancestor keys are editable=False on the models, so ModelSerializer makes them read-only.
    return type(
        "Meta",
        (),
        {"model": model, "fields": ["id", "display", *fields], "create_only": create_only},
    )
