"""The first check of every uploaded file, before anything is kept: the kind its name says
is accepted, it is not empty, and it is within a size limit in MB.

Each kind of upload has its own limit, a setting whose name the caller passes (e.g.
VCDESK_INSPECTION_UPLOAD_MAX_MB, VCDESK_ATTACHMENT_MAX_MB): the Django setting, else the
environment variable of that name, else the caller's default. A refusal is a
ValidationError on the caller's form field, in the user's language, naming the limit.
Checks of the content itself (does the photo open as a photo) stay with the caller.
"""

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from vcdesk.env import env_int

MB = 1024 * 1024
# Names are kept for display only; the file is stored under a random name.
NAME_LENGTH = 200


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed: the file, its name as sent (without any folder, at most 200
    characters) and its extension in lower case, without the dot."""

    file: UploadedFile
    name: str
    extension: str


def extension(name: str) -> str:
    """`"Rack 1.JPG"` → `"jpg"`; `""` when the name has none."""
    return PurePath(name).suffix.lower().lstrip(".")


def max_megabytes(setting: str, default: int) -> int:
    """The limit named `setting`: the Django setting, else the environment variable of
    that name (a whole number, else ImproperlyConfigured), else `default`."""
    megabytes = getattr(settings, setting, None)
    return env_int(setting, default) if megabytes is None else int(megabytes)


def upload_check(
    upload: UploadedFile,
    *,
    extensions: Collection[str],
    max_mb_setting: str,
    default_max_mb: int = 10,
    content_types: Collection[str] = (),
    field: str = "file",
    refused_kind: str = "",
) -> CheckedUpload:
    """The upload if its extension is one of `extensions` (lower case, no dot), its
    declared content type one of `content_types` (when given), and its size from 1 byte to
    the limit `max_mb_setting` (`max_megabytes`); else ValidationError on `field` saying
    why. `refused_kind` replaces the message for a kind not accepted (say what to attach)."""
    name = PurePath(upload.name or "").name[-NAME_LENGTH:]
    kind = extension(name)
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if kind not in extensions or (content_types and declared not in content_types):
        if not refused_kind:
            refused_kind = _("This kind of file is not accepted; attach one of: %(types)s.") % {
                "types": ", ".join(sorted(extensions))
            }
        raise ValidationError({field: refused_kind})
    megabytes = max_megabytes(max_mb_setting, default_max_mb)
    if upload.size is None or upload.size > megabytes * MB:
        raise ValidationError({field: _("The file is larger than %(mb)d MB.") % {"mb": megabytes}})
    if upload.size == 0:
        raise ValidationError({field: _("The file is empty.")})
    return CheckedUpload(file=upload, name=name, extension=kind)
