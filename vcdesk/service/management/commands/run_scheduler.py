"""The one small scheduler of ARCHITECTURE.md: it enqueues the periodic sweeps, and the
task workers (`manage.py db_worker`) run them. Run exactly one scheduler; an extra one only
enqueues extra sweeps, which find nothing to do (the sweeps are idempotent)."""

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.module_loading import import_string

# Finished task results are kept this long, then pruned (about 6,000 rows a day otherwise).
TASK_RESULT_DAYS = 7
PRUNE_EVERY_SECONDS = 3600


def _results_in_database() -> bool:
    return settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"


class Command(BaseCommand):
    help = "Every --interval seconds, enqueue the periodic sweeps (settings.VCDESK_PERIODIC_TASKS)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--interval", type=float, default=30.0, help="seconds between rounds (default 30)"
        )
        parser.add_argument("--once", action="store_true", help="enqueue one round and stop")

    def handle(self, *args, interval: float, once: bool, **options) -> None:
        periodic_tasks = [import_string(path) for path in settings.VCDESK_PERIODIC_TASKS]
        pruned_at = float("-inf")
        while True:
            started = time.monotonic()
            if started - pruned_at >= PRUNE_EVERY_SECONDS and _results_in_database():
                call_command("prune_db_task_results", min_age_days=TASK_RESULT_DAYS, verbosity=0)
                pruned_at = started
            for periodic in periodic_tasks:
                periodic.enqueue()
            if once:
                self.stdout.write(f"enqueued {', '.join(t.name for t in periodic_tasks)}")
                return
            time.sleep(max(interval - (time.monotonic() - started), 0))
            close_old_connections()  # a long-lived process: drop connections gone stale
