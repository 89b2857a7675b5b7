import pytest

from vcdesk.service.escalation import active_levels_forget


@pytest.fixture(autouse=True)
def _fresh_escalation_levels():
    """Each test reads the escalation levels of its own database, not the ones a previous
    test cached in this process (a rolled-back change sends no signal)."""
    active_levels_forget()
    yield
    active_levels_forget()
