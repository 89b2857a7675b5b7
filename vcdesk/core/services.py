"""The one way a domain object is written: validate fully, record who, save."""

from typing import Any, TypeVar

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
    instance.full_clean()
    # django-simple-history reads the author from here (also outside a request: tasks, commands).
    instance._history_user = actor if getattr(actor, "is_authenticated", False) else None
    instance.save()
    return instance
