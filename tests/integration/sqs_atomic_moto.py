"""moto's server, with its FIFO group locking made faithful, for tests of several consumers.

SQS hands out no message of a FIFO group while another message of that group is in flight.
moto 5.2 approximates that with a set of in-flight messages, in two ways that break it when
several consumers share a queue (flaws of the stand-in, not of what is under test):

* ReceiveMessage decides which groups are busy from a snapshot taken when the call starts,
  and nothing serialises concurrent calls: two consumers receiving at once can each be handed
  messages of one group (and concurrent deletes change the set while a receive iterates it).
* A message whose visibility timeout ran out stays in the in-flight set until a receive walks
  past it; the receive then drops it from the set but skips it, and may hand out a later
  message of its group first. With a consumer killed while holding several messages of a
  group that come back at different times, that reorders the group.

So this wrapper runs moto's own server with every SQS message operation under one lock, and
clears timed-out messages from the in-flight set before each receive. Long polls still wait, but outside the lock, looking again five
times a second (a new look scans the whole queue, which is slow in moto: doing it on every
change would starve the other calls), so one consumer's long poll never blocks another's
calls.

Usage: python sqs_atomic_moto.py -H 127.0.0.1 -p PORT   (the arguments of moto_server)
"""

import functools
import threading
import time

from moto.server import main
from moto.sqs.models import SQSBackend

_lock = threading.RLock()
_K_LONG_POLL_STEP_S = 0.2


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
    queue = self.get_queue(queue_name)
    while True:
        with _lock:
            for message in list(queue.pending_messages):
                if message.visible:  # its visibility timeout ran out: no longer in flight
                    queue.pending_messages.discard(message)
            result = _receive_once(self, queue_name, count, 0, visibility_timeout,
                                   message_attribute_names)
        left = deadline - time.monotonic()
        if result or left <= 0:
            return result
        time.sleep(min(_K_LONG_POLL_STEP_S, left))


SQSBackend.receive_message = _receive_message

if __name__ == "__main__":
    main()
