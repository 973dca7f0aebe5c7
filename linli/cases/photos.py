"""Photos attached to requests: type and size checked, then re-encoded from the pixels alone,
so no EXIF (GPS position, camera, owner) ever reaches storage."""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 2560
ALLOWED = {"JPEG", "PNG", "WEBP", "HEIF", "MPO"}


def clean_photo(upload) -> ContentFile:
    if upload.size > MAX_BYTES:
        raise ValidationError(_("A photo may be at most 10 MB."), "size")
    try:
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationError(_("This file is not a photo (JPEG, PNG or WebP)."), "type") from None
    if image.format not in ALLOWED:
        raise ValidationError(_("This file is not a photo (JPEG, PNG or WebP)."), "type")
    image = ImageOps.exif_transpose(image)  # keep the orientation the phone meant, then drop EXIF
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    clean = Image.new("RGB", image.size, "white")
    clean.paste(image.convert("RGBA"), mask=image.convert("RGBA").split()[-1])
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=85, optimize=True)  # no exif= argument: nothing carried over
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
