"""Readable change history (who, when, what) from django-simple-history rows."""

from collections import defaultdict

from django.db.models import ForeignKey, Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HISTORY_TYPES = {
    "+": gettext_lazy("Created"),
    "~": gettext_lazy("Changed"),
    "-": gettext_lazy("Deleted"),
}


def _display(field, value, related: dict[tuple[type[Model], object], str]):
    if value in (None, ""):
        return ""
    if isinstance(field, ForeignKey):
        # The history keeps the related row's key; show what it names (as the row reads
        # now), or the bare key when that row is gone.
        return related.get((field.related_model, value), f"#{value}")
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


def _related_names(fields_and_values) -> dict[tuple[type[Model], object], str]:
    """str() of every related object named by a foreign key's value: one query per model."""
    keys: dict[type[Model], set] = defaultdict(set)
    for field, value in fields_and_values:
        if isinstance(field, ForeignKey) and value not in (None, ""):
            keys[field.related_model].add(value)
    return {
        (model, obj.pk): str(obj)
        for model, pks in keys.items()
        for obj in model._base_manager.filter(pk__in=pks)
    }


def history_entries(instance, *, limit: int = 50) -> list[dict]:
    """The newest `limit` changes of `instance`, each with the fields it changed."""
    records = list(
        instance.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    diffs = []
    for record, previous in zip(records[:limit], records[1:] + [None], strict=False):
        changes = record.diff_against(previous).changes if previous is not None else []
        diffs.append((record, [(instance._meta.get_field(c.field), c.old, c.new) for c in changes]))
    related = _related_names(
        (field, value)
        for _record, changes in diffs
        for field, *values in changes
        for value in values
    )
    return [
        {
            "when": record.history_date,
            "who": record.history_user,
            "what": HISTORY_TYPES.get(record.history_type, record.history_type),
            "changes": [
                {
                    "field": field.verbose_name,
                    "old": _display(field, old, related),
                    "new": _display(field, new, related),
                }
                for field, old, new in changes
            ],
        }
        for record, changes in diffs
    ]
