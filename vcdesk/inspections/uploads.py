"""The photo or file an engineer attaches to a checklist item: what is accepted.

A photo of a rack, a screenshot of the management software, an exported log or a
configuration file. The type is judged by the file's extension *and* its content (an image
must open as that image, a PDF must start like one), so a renamed program or page is
refused; the file is stored under a random name and served only through a scoped view.
"""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from vcdesk.core.uploads import CheckedUpload, extension, upload_check

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
# The limit's setting (vcdesk.core.uploads.max_megabytes) and its default.
MAX_MB_SETTING = "VCDESK_INSPECTION_UPLOAD_MAX_MB"
DEFAULT_MAX_MB = 10


def content_type(name: str) -> str:
    ext = extension(name)
    return CONTENT_TYPES.get(ext, "text/plain; charset=utf-8" if ext in TEXT_TYPES else "")


def attachment_check(upload: UploadedFile, *, field: str = "attachment") -> CheckedUpload:
    """The upload if it is an accepted type within the size limit, else ValidationError on
    `field` saying why. The original name is kept for display only (at most 200 chars)."""
    checked = upload_check(
        upload,
        extensions=ALLOWED,
        max_mb_setting=MAX_MB_SETTING,
        default_max_mb=DEFAULT_MAX_MB,
        field=field,
        refused_kind=_("Attach a photo (JPG, PNG, WebP), a PDF, a ZIP or a text file (%(types)s).")
        % {"types": ", ".join(sorted(TEXT_TYPES))},
    )
    ext = checked.extension
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
    return checked


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
