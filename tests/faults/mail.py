"""A mail backend for a worker process started by a fault test: it blocks until a gate file appears, so the test
can kill the worker while it is "mid-task" without any timing guess."""

import os
import threading
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class GatedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        gate = Path(os.environ["PB_FAULTS_MAIL_GATE"])
        gate.with_suffix(".started").touch()
        waited, pause = 0.0, threading.Event()
        while not gate.exists():
            if waited >= 60:
                raise TimeoutError(f"{gate} never appeared")
            pause.wait(0.05)
            waited += 0.05
        return len(email_messages)
