"""Test doubles for notifications (the fixtures in conftest.py wrap them).

`robot_server()`: a group-chat robot on 127.0.0.1 (a real HTTP server on a free port, in a
thread); it records every POST and answers with the replies queued in `robot.replies` (by
default 200 with `{"errcode": 0, "errmsg": "ok"}`).
`dummy_task_queue(settings)`: enqueued tasks wait in django-tasks' dummy backend until the
test runs them.
"""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from django.utils import timezone

OK = (200, {"errcode": 0, "errmsg": "ok"})


@dataclass
class Received:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: dict


@dataclass
class Robot:
    url: str
    received: list[Received] = field(default_factory=list)
    replies: list[tuple[int, dict]] = field(default_factory=list)


@contextmanager
def robot_server() -> Iterator[Robot]:
    state = Robot(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # the name http.server calls
            length = int(self.headers.get("Content-Length", 0))
            parts = urlsplit(self.path)
            state.received.append(
                Received(
                    path=parts.path,
                    query={k: v[0] for k, v in parse_qs(parts.query).items()},
                    headers=dict(self.headers),
                    json=json.loads(self.rfile.read(length)),
                )
            )
            status, answer = state.replies.pop(0) if state.replies else OK
            raw = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, format, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}"
    yield state
    server.shutdown()
    server.server_close()


class TaskQueue:
    def __init__(self, backend) -> None:
        self.backend = backend

    @property
    def waiting(self) -> list:
        return list(self.backend.results)

    def run_due(self) -> int:
        """Run the tasks whose `run_after` has come (as time_machine sees it); how many ran."""
        now = timezone.now()
        due = [r for r in self.backend.results if not r.task.run_after or r.task.run_after <= now]
        for result in due:
            self.backend.results.remove(result)
        for result in due:
            result.task.call(*result.args, **result.kwargs)
        return len(due)


def dummy_task_queue(settings) -> TaskQueue:
    from django_tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return TaskQueue(default_task_backend)
