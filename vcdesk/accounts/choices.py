from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The people of the service plan; each role is a Django group of the same name."""

    DUTY_OFFICER = "duty_officer", _("Duty officer")
    SUPPORT_ENGINEER = "support_engineer", _("Support engineer")
    FIELD_ENGINEER = "field_engineer", _("Field engineer")
    SPARES_KEEPER = "spares_keeper", _("Spare-parts keeper")
    SERVICE_MANAGER = "service_manager", _("Service manager")
    CUSTOMER_CONTACT = "customer_contact", _("Customer contact")
