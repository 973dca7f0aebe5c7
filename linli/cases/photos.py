"""Photos attached to requests: type, bytes and pixels checked, then re-encoded from the pixels
alone, so no EXIF (GPS position, camera, owner) ever reaches storage.

The pixel count is read from the file's header (`Image.open` decodes nothing) and checked before
any decoding: a PNG of a few hundred kilobytes can declare 13000 × 13000 pixels, which decode
to gigabytes (a decompression bomb). Pillow's own guard is set to the same bound and made to
raise rather than warn (`CasesConfig.ready`), for any other code that opens an image.
"""

import io
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 2560
ALLOWED = {"JPEG", "PNG", "WEBP", "HEIF", "MPO"}


def guard_pillow():
    """Pillow refuses (DecompressionBombError) instead of warning above LINLI_PHOTO_MAX_PIXELS."""
    Image.MAX_IMAGE_PIXELS = settings.LINLI_PHOTO_MAX_PIXELS
    warnings.simplefilter("error", Image.DecompressionBombWarning)


def _not_a_photo():
    return ValidationError(_("This file is not a photo (JPEG, PNG or WebP)."), "type")


def _too_many_pixels(size=None):
    limit = f"{settings.LINLI_PHOTO_MAX_PIXELS:,}"
    if size is None:  # refused by Pillow's guard as it read the header
        message = _(
            "This photo has more than %(limit)s pixels. Send a smaller copy (most phones offer one when sharing)."
        )
        return ValidationError(message % {"limit": limit}, "pixels")
    message = _(
        "This photo has %(pixels)s pixels (%(width)s × %(height)s); at most %(limit)s are accepted. "
        "Send a smaller copy (most phones offer one when sharing)."
    )
    return ValidationError(
        message % {"pixels": f"{size[0] * size[1]:,}", "width": size[0], "height": size[1], "limit": limit}, "pixels"
    )


def check_upload(upload) -> Image.Image:
    """The upload opened lazily, its bytes, type and pixel count checked; nothing decoded yet."""
    if upload.size > settings.LINLI_PHOTO_MAX_BYTES:
        megabytes = f"{settings.LINLI_PHOTO_MAX_BYTES / 1024 / 1024:g}"
        raise ValidationError(_("A photo may be at most %(megabytes)s MB.") % {"megabytes": megabytes}, "size")
    try:
        image = Image.open(upload)  # the header only
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _not_a_photo() from None
    if image.format not in ALLOWED:
        raise _not_a_photo()
    if image.width * image.height > settings.LINLI_PHOTO_MAX_PIXELS:
        raise _too_many_pixels(image.size)
    return image


def clean_photo(upload) -> ContentFile:
    image = check_upload(upload)
    try:
        image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # a JPEG decodes at 1/2, 1/4 or 1/8 scale: less memory
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(image.size) from None
    except (OSError, SyntaxError, ValueError):
        raise _not_a_photo() from None
    image = ImageOps.exif_transpose(image)  # keep the orientation the phone meant, then drop EXIF
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    rgba = image.convert("RGBA")
    clean = Image.new("RGB", image.size, "white")
    clean.paste(rgba, mask=rgba.getchannel("A"))
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=85, optimize=True)  # no exif= argument: nothing carried over
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
