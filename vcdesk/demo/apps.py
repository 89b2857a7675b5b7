from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "vcdesk.demo"
    verbose_name = "Demo data"
