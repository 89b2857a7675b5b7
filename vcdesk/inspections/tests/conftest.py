import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages(client):
    """Refusals are asserted in English; the pages and forms are Chinese by default."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media_in_a_temporary_directory(settings, tmp_path):
    """Attachments and archived reports are written under MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
