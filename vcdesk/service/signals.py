"""What the service process tells other apps, so that they can follow it without the
service app knowing them (surveys after a confirmation, for instance)."""

from django.dispatch import Signal

# Sent once the transaction that recorded the event has committed.
# Arguments: record (ServiceRecord), event (ServiceEvent).
service_event_recorded = Signal()
