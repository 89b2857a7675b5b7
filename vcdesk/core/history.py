"""Readable change history (who, when, what) from django-simple-history rows."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HISTORY_TYPES = {
    "+": gettext_lazy("Created"),
    "~": gettext_lazy("Changed"),
    "-": gettext_lazy("Deleted"),
}


def _display(field, value):
    if value in (None, ""):
        return ""
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


def history_entries(instance, *, limit: int = 50) -> list[dict]:
    """The newest `limit` changes of `instance`, each with the fields it changed."""
    records = list(
        instance.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    entries = []
    for record, previous in zip(records, records[1:] + [None], strict=False):
        if len(entries) == limit:
            break
        changes = []
        if previous is not None:
            for change in record.diff_against(previous).changes:
                field = instance._meta.get_field(change.field)
                changes.append(
                    {
                        "field": field.verbose_name,
                        "old": _display(field, change.old),
                        "new": _display(field, change.new),
                    }
                )
        entries.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "what": HISTORY_TYPES.get(record.history_type, record.history_type),
                "changes": changes,
            }
        )
    return entries
