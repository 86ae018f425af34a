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


def validate_pdf(upload, *, max_bytes: int) -> None:
    """Check size and that the content is a PDF (signature at the start, end-of-file
    marker at the end), whatever its name. PDFs are always served as downloads (never
    displayed inline by our pages), so scripts they may carry do not run in our origin."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size)s KB, %(max)s KB at most)."),
            params={"size": upload.size // 1024, "max": max_bytes // 1024},
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        head = upload.read(1024)
        upload.seek(max(0, upload.size - 2048))
        tail = upload.read(2048)
    finally:
        upload.seek(position)
    if not head.lstrip(b"\xef\xbb\xbf\r\n\t ").startswith(b"%PDF-") or b"%%EOF" not in tail:
        raise ValidationError(_("This file is not a PDF document."))
