import pytest


@pytest.fixture(autouse=True)
def _english_messages(client):
    """Refusals are asserted in English; the pages and forms are Chinese by default."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
