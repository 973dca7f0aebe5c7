"""人进户、户进房: households living in houses, persons in households, their tags and grid posts."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core import crypto
from linli.core.fields import EncryptedTextField, SortKeyField
from linli.core.masking import mask_date, mask_id_number, mask_name, mask_phone
from linli.core.scope import ScopedModel, has_perm
from linli.core.validators import normalise_id, validate_id_number, validate_phone

from .derive import person_values

PLACE_PATHS = {
    "subdistrict": "subdistrict_id",
    "community": "community_id",
    "grid": "grid_id",
    "compound": "compound_id",
    "building": "building_id",
    "unit": "unit_id",
}


class Tenure(models.TextChoices):
    OWNER = "owner", _("Owner-occupier")
    TENANT = "tenant", _("Tenant")


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Tag(models.Model):
    """人员标签 (党员, 低保, 独居老人 …): the list is edited by administrators.
    Sensitive tags (health, poverty, disability) never appear on public pages or in counts below a grid."""

    name = models.CharField(_("name"), max_length=30, unique=True)
    sensitive = models.BooleanField(_("sensitive"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name


def sees_sensitive_tags(user) -> bool:
    """Whether the user may know the names of sensitive tags (低保, 残疾人 …): roles that may reveal
    personal data somewhere. Which persons' sensitive tags they see: privacy.shown_tags."""

    return has_perm(user, "people.reveal")


def visible_tags(user):
    return Tag.objects.all() if sees_sensitive_tags(user) else Tag.objects.filter(sensitive=False)


class _InHouse(ScopedModel):
    """Ancestor keys copied from the house, so scope filters need no join."""

    unit = models.ForeignKey("places.Unit", models.PROTECT, related_name="+", editable=False)
    building = models.ForeignKey("places.Building", models.PROTECT, related_name="+", editable=False)
    compound = models.ForeignKey("places.Compound", models.PROTECT, related_name="+", editable=False)
    grid = models.ForeignKey("places.Grid", models.PROTECT, related_name="+", editable=False)
    community = models.ForeignKey("places.Community", models.PROTECT, related_name="+", editable=False)
    subdistrict = models.ForeignKey("places.Subdistrict", models.PROTECT, related_name="+", editable=False)

    scope_domain = "people"

    class Meta:
        abstract = True

    def copy_places(self, source):
        for level in ("unit", "building", "compound", "grid", "community", "subdistrict"):
            setattr(self, f"{level}_id", getattr(source, f"{level}_id"))


class Household(_InHouse):
    """户: the people who live together in one house, owners or tenants."""

    house = models.ForeignKey("places.House", models.PROTECT, related_name="households", verbose_name=_("house"))
    tenure = models.CharField(_("owner or tenant"), max_length=10, choices=Tenure.choices, default=Tenure.OWNER)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = PLACE_PATHS | {"household": "id"}

    class Meta:
        ordering = ["house_id", "id"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self):
        return str(self.house) if self.house_id else _("household")

    def get_absolute_url(self):
        return reverse("people:household", args=[self.pk])

    def save(self, *args, **kwargs):
        house = self.house
        self.copy_places(house)
        self.unit_id = house.unit_id
        super().save(*args, **kwargs)


class Person(_InHouse):
    """居民: a person in a household. ID number and phone are encrypted; their keyed hashes allow
    exact lookup and de-duplication (one person per ID number in the whole ledger)."""

    household = models.ForeignKey(Household, models.PROTECT, related_name="members", verbose_name=_("household"))
    name = models.CharField(_("name"), max_length=50)
    sort_key = SortKeyField(kind="name")  # by pinyin (core.collation)
    relation = models.CharField(_("relation to head"), max_length=12, choices=Relation.choices, default=Relation.HEAD)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices, blank=True)
    # always the ID number's birth digits (derive.py); shown as the year only (people/privacy.py)
    birth_date = models.DateField(_("birth date"), null=True, blank=True, editable=False)
    id_number = EncryptedTextField(_("ID number"), validators=[validate_id_number])
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    phone = EncryptedTextField(_("phone"), blank=True, validators=[validate_phone])
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="people", verbose_name=_("tags"))
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = PLACE_PATHS | {"household": "household_id"}
    sensitive_fields = {"id_number": mask_id_number, "phone": mask_phone, "birth_date": mask_date}

    class Meta:
        ordering = ["household_id", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("people:person", args=[self.pk])

    @property
    def id_number_masked(self):
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self):
        return mask_phone(self.phone)

    def save(self, *args, **kwargs):
        derived = person_values(
            id_number=self.id_number, phone=self.phone, household=self.household, gender=self.gender
        )
        for field, value in derived.items():
            setattr(self, field, value)
        super().save(*args, **kwargs)

    def validate_unique(self, exclude=None):
        super().validate_unique(exclude)

        digest = crypto.keyed_hash(normalise_id(self.id_number or ""))
        if Person.objects.filter(id_number_hash=digest).exclude(pk=self.pk).exists():
            raise ValidationError({"id_number": _("A person with this ID number is already in the ledger.")})


def ledger_person(id_number: str) -> "Person | None":
    """The person of the ledger with this ID number, wherever they live (an owner need not live in
    the house, nor in the user's scope); None for a blank number. Entering it, staff learn only
    that the person is in the ledger."""
    value = normalise_id(id_number or "")
    if not value:
        return None
    validate_id_number(value)
    person = Person.objects.filter(id_number_hash=crypto.keyed_hash(value)).first()
    if person is None:
        raise ValidationError(_("Nobody with this ID number is in the ledger: add them to their household first."))
    return person


class Ownership(_InHouse):
    """产权人: the register of a house's owners, counted in owners' votes (R1.4): a person of the
    ledger (who need not live there: a landlord, a buyer of several houses) or an organisation
    (单位产权); co-owners of one house with their shares (共有份额), which together make at most
    100 %. A house marked `developer_owned` needs none: the developer's unsold houses are one owner."""

    house = models.ForeignKey("places.House", models.CASCADE, related_name="ownerships", verbose_name=_("house"))
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="ownerships", verbose_name=_("owner")
    )
    organisation = models.CharField(_("owning organisation"), max_length=100, blank=True)
    organisation_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[RegexValidator(r"^[0-9A-HJ-NPQRTUWXY]{18}$", _("Enter the 18 characters of the code."))],
    )
    share = models.DecimalField(
        _("share in percent"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text=_("For co-owners; blank when one owner holds the whole house."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    scope_paths = PLACE_PATHS

    class Meta:
        ordering = ["house_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["house", "person"], name="uniq_ownership"),
            models.CheckConstraint(
                condition=(models.Q(person__isnull=False) & models.Q(organisation=""))
                | (models.Q(person__isnull=True) & ~models.Q(organisation="")),
                name="ownership_person_or_organisation",
            ),
        ]
        verbose_name = _("ownership")
        verbose_name_plural = _("ownerships")

    def __str__(self):
        return f"{self.owner_label} · {self.house}"

    def get_absolute_url(self):
        return self.house.get_absolute_url()

    @property
    def owner_label(self) -> str:
        """Masked for a person (张**), in full for an organisation."""
        return mask_name(self.person.name) if self.person is not None else self.organisation

    @property
    def owner_key(self) -> str:
        """Who the owner is across houses: the keyed hash of a person's ID number, an
        organisation's credit code (else its name)."""
        if self.person is not None:
            return self.person.id_number_hash
        return f"o:{self.organisation_code or self.organisation}"

    def clean(self):
        errors = {}
        if bool(self.person_id) == bool(self.organisation.strip()):
            errors["person"] = _("Give either a person of the ledger or an organisation as the owner.")
        if self.house_id:
            others = Ownership.objects.filter(house_id=self.house_id).exclude(pk=self.pk)
            if self.organisation and others.filter(organisation=self.organisation).exists():
                errors["organisation"] = _("This organisation is already an owner of this house.")
            total = sum((o.share or 0 for o in others), self.share or Decimal(0))
            if total > 100:
                errors["share"] = _("The co-owners' shares of this house add up to more than 100 percent.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.copy_places(self.house)
        super().save(*args, **kwargs)


class ResidentPost(ScopedModel):
    """网格岗位: a grid post held by a resident (网格长, 网格员, 党小组长, 楼栋长, 单元长, 议事代表, 居民代表)."""

    class Post(models.TextChoices):
        GRID_CHIEF = "grid_chief", _("Grid chief")
        GRID_WORKER = "grid_worker", _("Grid worker")
        PARTY_GROUP_LEADER = "party_group_leader", _("Party group leader")
        BUILDING_HEAD = "building_head", _("Building head")
        UNIT_HEAD = "unit_head", _("Unit head")
        DELIBERATION_REP = "deliberation_rep", _("Deliberation representative")
        RESIDENT_REP = "resident_rep", _("Residents' representative")

    person = models.ForeignKey(Person, models.CASCADE, related_name="posts", verbose_name=_("person"))
    post = models.CharField(_("post"), max_length=20, choices=Post.choices)
    grid = models.ForeignKey("places.Grid", models.PROTECT, related_name="posts", verbose_name=_("grid"))
    building = models.ForeignKey(
        "places.Building", models.PROTECT, null=True, blank=True, related_name="posts", verbose_name=_("building")
    )
    unit = models.ForeignKey(
        "places.Unit", models.PROTECT, null=True, blank=True, related_name="posts", verbose_name=_("unit")
    )
    community = models.ForeignKey("places.Community", models.PROTECT, related_name="+", editable=False)
    subdistrict = models.ForeignKey("places.Subdistrict", models.PROTECT, related_name="+", editable=False)

    scope_domain = "people"
    scope_paths = {
        "subdistrict": "subdistrict_id",
        "community": "community_id",
        "grid": "grid_id",
        "building": "building_id",
        "unit": "unit_id",
    }

    class Meta:
        ordering = ["grid_id", "post"]
        constraints = [models.UniqueConstraint(fields=["person", "post", "grid"], name="uniq_resident_post")]
        verbose_name = _("grid post")
        verbose_name_plural = _("grid posts")

    def __str__(self):
        return f"{self.get_post_display()} {self.person}"

    def get_absolute_url(self):
        return self.grid.get_absolute_url()

    def clean(self):

        errors = {}
        if self.person_id and self.grid_id and self.person.grid_id != self.grid_id:
            errors["person"] = _("The person does not live in this grid.")
        if self.building_id and self.grid_id and self.building.grid_id != self.grid_id:
            errors["building"] = _("The building is not in this grid.")
        if self.unit_id and self.building_id and self.unit.building_id != self.building_id:
            errors["unit"] = _("The unit is not in this building.")
        if self.post == self.Post.BUILDING_HEAD and not self.building_id:
            errors["building"] = _("A building head needs a building.")
        if self.post == self.Post.UNIT_HEAD and not self.unit_id:
            errors["unit"] = _("A unit head needs a unit.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.community_id = self.grid.community_id
        self.subdistrict_id = self.grid.subdistrict_id
        if self.unit_id and not self.building_id:
            self.building_id = self.unit.building_id
        super().save(*args, **kwargs)
