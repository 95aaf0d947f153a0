"""moto's server, with SQS message operations made atomic, for tests of several consumers.

moto 5.2's ReceiveMessage decides which FIFO message groups are busy from a snapshot taken when
the call starts, and nothing serialises concurrent calls: two consumers receiving at the same
time can each be handed messages of one group, which SQS never does (and concurrent deletes
can change the in-flight set while a receive iterates over it). That is a flaw of the stand-in,
not of what is under test, so this wrapper runs moto's own server with every SQS message
operation under one lock. Long polls still wait, but outside the lock, so one consumer's long
poll never blocks another's calls.

Usage: python sqs_atomic_moto.py -H 127.0.0.1 -p PORT   (the arguments of moto_server)
"""

import functools
import threading
import time

from moto.server import main
from moto.sqs.models import SQSBackend

_lock = threading.RLock()
_K_LONG_POLL_STEP_S = 0.05


def _atomic(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with _lock:
            return method(*args, **kwargs)
    return wrapper


for _name in ("send_message", "send_message_batch", "delete_message", "delete_message_batch",
              "change_message_visibility", "change_message_visibility_batch"):
    setattr(SQSBackend, _name, _atomic(getattr(SQSBackend, _name)))

_receive_once = SQSBackend.receive_message


def _receive_message(self, queue_name, count, wait_seconds_timeout, visibility_timeout,
                     message_attribute_names=None):
    """One atomic zero-wait receive after another until something arrives or the wait ends."""
    deadline = time.monotonic() + (wait_seconds_timeout or 0)
    while True:
        with _lock:
            result = _receive_once(self, queue_name, count, 0, visibility_timeout,
                                   message_attribute_names)
        left = deadline - time.monotonic()
        if result or left <= 0:
            return result
        time.sleep(min(_K_LONG_POLL_STEP_S, left))


SQSBackend.receive_message = _receive_message

if __name__ == "__main__":
    main()
