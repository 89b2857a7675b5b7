"""The one way a domain object is written: validate fully, record who, save."""

from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

M = TypeVar("M", bound=models.Model)


def validated_save(instance: M, *, actor, changes: dict[str, Any] | None = None) -> M:
    """Apply `changes`, run every model and constraint check, save and record `actor`.

    A reference given as an id (`site=3`) is set as `site_id`, and checked to exist by
    `full_clean`. Raises django.core.exceptions.ValidationError with per-field reasons and
    writes nothing. Call inside `transaction.atomic`.
    """
    for field_name, value in (changes or {}).items():
        field = instance._meta.get_field(field_name)
        if field.is_relation and not isinstance(value, models.Model):
            setattr(instance, field.attname, value)
        else:
            setattr(instance, field_name, value)
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise with_unique_together_on_a_field(exc) from None
    # django-simple-history reads the author from here (also outside a request: tasks, commands).
    instance._history_user = actor if getattr(actor, "is_authenticated", False) else None
    instance.save()
    return instance


def with_unique_together_on_a_field(exc: ValidationError) -> ValidationError:
    """Django files a broken multi-field unique constraint under no field. Put it on the
    constraint's last field, the one a person types (a serial within a vendor, a site's name
    within an organisation), so that the answer names the field to correct."""
    if not hasattr(exc, "error_dict"):
        return exc
    errors: dict[str, list[ValidationError]] = {}
    for field, field_errors in exc.error_dict.items():
        for error in field_errors:
            if field == NON_FIELD_ERRORS and error.code == "unique_together":
                errors.setdefault(error.params["unique_check"][-1], []).append(error)
            else:
                errors.setdefault(field, []).append(error)
    return ValidationError(errors)
