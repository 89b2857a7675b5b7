from django.core.management.base import BaseCommand

from vcdesk.service.sweep import clocks_sweep


class Command(BaseCommand):
    help = "Sweep the SLA clocks once: fire the escalation levels that are due and notify."

    def handle(self, *args, **options) -> None:
        fired = clocks_sweep()
        self.stdout.write(f"{fired} escalation level(s) fired")
