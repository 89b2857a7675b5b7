import pytest


@pytest.fixture(autouse=True)
def _english_messages(client):
    """Refusals are asserted in English; the pages and forms are Chinese by default."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def manager(service_manager):
    """The service manager, with the address complaints are mailed to."""
    service_manager.user.email = "manager@example.cn"
    service_manager.user.save()
    return service_manager
