"""Photos and documents attached to contributions. Photos are validated, re-encoded,
metadata stripped; documents (PDF) are checked by content and always served as
downloads.

Re-encoding from decoded pixels drops EXIF (GPS position, device), XMP and ICC data
and defuses files crafted to be both an image and something else.
"""

from __future__ import annotations

import io
import uuid

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

from cocon.core.models import Attachment
from cocon.core.uploads import validate_image, validate_pdf

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_SIDE = 2560


def reencode(upload) -> tuple[bytes, str, int, int]:
    """Decode, apply the EXIF orientation, shrink to MAX_SIDE and encode again.

    Returns (bytes, mime type, width, height). Images with transparency stay PNG,
    everything else becomes JPEG.
    """
    upload.seek(0)
    with Image.open(upload) as original:
        image = ImageOps.exif_transpose(original)
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        has_alpha = image.mode in ("RGBA", "LA") or (
            image.mode == "P" and "transparency" in image.info
        )
        out = io.BytesIO()
        if has_alpha:
            clean = image.convert("RGBA")
            clean.save(out, format="PNG", optimize=True)
            mime = "image/png"
        else:
            clean = image.convert("RGB")
            clean.save(out, format="JPEG", quality=85, optimize=True)
            mime = "image/jpeg"
        width, height = clean.size
    return out.getvalue(), mime, width, height


def validate_photo(upload) -> None:
    """Raise ValidationError (French message) unless `upload` is an image ≤ 10 MB."""
    validate_image(upload, max_bytes=MAX_PHOTO_BYTES)


def attach_photo(obj, upload, *, alt: str = "") -> Attachment:
    data, mime, width, height = reencode(upload)
    extension = "png" if mime == "image/png" else "jpg"
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        mime_type=mime,
        width=width,
        height=height,
        size=len(data),
        alt=alt[:300],
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(data), save=False)
    attachment.save()
    return attachment


def validate_document(upload) -> None:
    """Raise ValidationError (French message) unless `upload` is a PDF ≤ 10 MB."""
    validate_pdf(upload, max_bytes=MAX_PHOTO_BYTES)


def attach_document(obj, upload) -> Attachment:
    """Store a PDF as it is (its name kept as the description, shown on the link)."""
    name = "".join(c for c in (upload.name or "document.pdf") if c.isprintable())[-150:]
    upload.seek(0)
    data = upload.read()
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        mime_type="application/pdf",
        size=len(data),
        alt=name,
    )
    attachment.file.save(f"{uuid.uuid4().hex}.pdf", ContentFile(data), save=False)
    attachment.save()
    return attachment


def attachments_of(obj):
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    )


def delete_attachments(obj) -> int:
    count = 0
    for attachment in attachments_of(obj):
        attachment.file.delete(save=False)
        attachment.delete()
        count += 1
    return count
