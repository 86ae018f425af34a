"""Upload validation shared by every module: real content checked, not the file name."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

ALLOWED_IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
MAX_PIXELS = 40_000_000


def validate_image(upload, *, max_bytes: int) -> str:
    """Check size, decode the image with Pillow and accept only PNG, JPEG and WebP.

    SVG is refused on purpose: it can carry scripts. Returns the detected format.
    """
    if upload.size > max_bytes:
        raise ValidationError(
            _("The image is too large (%(size)s KB, %(max)s KB at most)."),
            params={"size": upload.size // 1024, "max": max_bytes // 1024},
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        with Image.open(upload) as image:
            image_format = image.format
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(_("The image has too many pixels."))
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError(_("This file is not a readable image.")) from exc
    finally:
        upload.seek(position)
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise ValidationError(_("Only PNG, JPEG and WebP images are accepted."))
    return image_format
