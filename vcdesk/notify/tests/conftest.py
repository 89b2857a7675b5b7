import pytest

from vcdesk.notify.tests.doubles import Robot, TaskQueue, dummy_task_queue, robot_server


@pytest.fixture
def robot() -> Robot:
    with robot_server() as server:
        yield server


@pytest.fixture
def task_queue(settings) -> TaskQueue:
    return dummy_task_queue(settings)
