from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; Python code only ever sees the clear value."""

    def from_db_value(self, value, expression, connection):
        return value if value in (None, "") else crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value in (None, "") else crypto.encrypt(value)
