"""What the inspections tell other apps, so that they can follow them without this app
knowing them (a satisfaction survey after an inspection, for instance)."""

from django.dispatch import Signal

# Sent once the transaction that completed the inspection (and archived its report) has
# committed. Arguments: inspection (Inspection).
inspection_completed = Signal()
