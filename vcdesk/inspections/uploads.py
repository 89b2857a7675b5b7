"""The photo or file an engineer attaches to a checklist item: what is accepted.

A photo of a rack, a screenshot of the management software, an exported log or a
configuration file. The type is judged by the file's extension *and* its content (an image
must open as that image, a PDF must start like one), so a renamed program or page is
refused; the file is stored under a random name and served only through a scoped view.
"""

from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

IMAGE_TYPES = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
TEXT_TYPES = {"txt", "log", "csv", "cfg", "conf", "ini", "xml", "json"}
OTHER_TYPES = {"pdf": b"%PDF-", "zip": b"PK\x03\x04"}
ALLOWED = sorted({*IMAGE_TYPES, *TEXT_TYPES, *OTHER_TYPES})
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "zip": "application/zip",
}
DEFAULT_MAX_MB = 10


def max_bytes() -> int:
    return int(getattr(settings, "VCDESK_INSPECTION_UPLOAD_MAX_MB", DEFAULT_MAX_MB)) * 1024 * 1024


def extension(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def content_type(name: str) -> str:
    ext = extension(name)
    return CONTENT_TYPES.get(ext, "text/plain; charset=utf-8" if ext in TEXT_TYPES else "")


@dataclass(frozen=True)
class CheckedFile:
    file: UploadedFile
    name: str


def attachment_check(upload: UploadedFile, *, field: str = "attachment") -> CheckedFile:
    """The upload if it is an accepted type within the size limit, else ValidationError on
    `field` saying why. The original name is kept for display only (at most 200 chars)."""
    name = PurePath(upload.name or "").name[-200:]
    ext = extension(name)
    if ext not in ALLOWED:
        raise ValidationError(
            {
                field: _(
                    "Attach a photo (JPG, PNG, WebP), a PDF, a ZIP or a text file (%(types)s)."
                )
                % {"types": ", ".join(sorted(TEXT_TYPES))}
            }
        )
    limit = max_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {field: _("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)}}
        )
    if upload.size == 0:
        raise ValidationError({field: _("The file is empty.")})
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if ext in IMAGE_TYPES:
        _check_image(upload, IMAGE_TYPES[ext], field)
    elif ext in OTHER_TYPES:
        if not head.startswith(OTHER_TYPES[ext]):
            raise ValidationError({field: _("The file is not a %(type)s.") % {"type": ext.upper()}})
    elif b"\x00" in head:
        raise ValidationError({field: _("The file is not a text file.")})
    return CheckedFile(file=upload, name=name)


def _check_image(upload: UploadedFile, expected: str, field: str) -> None:
    try:
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        kind = None
    finally:
        upload.seek(0)
    if kind != expected:
        raise ValidationError({field: _("The file is not a photo of the type its name says.")})
