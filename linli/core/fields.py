from django.db import models

from . import crypto
from .collation import KEYS


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; Python code only ever sees the clear value."""

    def from_db_value(self, value, expression, connection):
        return value if value in (None, "") else crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value in (None, "") else crypto.encrypt(value)


class EncryptedBinaryField(models.BinaryField):
    """Bytes stored as a Fernet token (an uploaded ledger file, its error file): personal data is
    encrypted at rest however it arrives. Empty stays empty, so `field=b""` still filters."""

    def from_db_value(self, value, expression, connection):
        return value if not value else crypto.decrypt_bytes(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        if value and not prepared:
            value = crypto.encrypt_bytes(value)
        return super().get_db_prep_value(value, connection, prepared)


class SortKeyField(models.CharField):
    """The Chinese sort key of another field (core.collation): kept by every save and bulk_create
    (pre_save), and by the ledger's bulk writes (ledger.bulk); never typed in, never shown."""

    def __init__(self, *args, source: str = "name", kind: str = "place", **kwargs):
        self.source, self.kind = source, kind
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key, value in {"max_length": 255, "default": "", "editable": False, "db_index": True}.items():
            if kwargs.get(key) == value:
                del kwargs[key]
        if not self.db_index:
            kwargs["db_index"] = False
        return name, path, args, kwargs | {"source": self.source, "kind": self.kind}

    def key(self, value) -> str:
        return KEYS[self.kind](value or "")

    def pre_save(self, model_instance, add):
        value = self.key(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value
