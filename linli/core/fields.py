from django.db import models

from . import crypto


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
