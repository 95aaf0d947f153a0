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
  group that come back at different times, that reorders the group. It does so even when
  they come back together: if their timeouts end while a receive runs, it drops them from
  the set one by one, skipping each because the later ones are still in it, and hands out
  the last (seen in a trace of this test: of six messages a killed consumer had held, the
  sixth went out first, with the two after it, and the five before it went to another
  consumer after them).

* ChangeMessageVisibility of a message whose timeout had run out (a renewal that arrives
  late, or one sent by a consumer just before it was killed) hides it again without putting
  it back in the in-flight set, so its group is open while it is invisible: a later message
  of the group goes out first, and this one after it. SQS keeps a hidden received message in
  flight, so its group stays closed.

So this wrapper runs moto's own server with every SQS message operation under one lock,
counts a group busy only for messages that are both received and still hidden, clears
timed-out messages from the in-flight set before each receive, and after each visibility
change counts the message in flight exactly when it is hidden. Long polls still wait, but
outside the lock, looking again five times a second (a new look scans the whole queue, which
is slow in moto: doing it on every change would starve the other calls), so one consumer's
long poll never blocks another's calls.

Usage: python sqs_atomic_moto.py -H 127.0.0.1 -p PORT   (the arguments of moto_server)
"""

import functools
import threading
import time

from moto.server import main
from moto.sqs.models import Queue, SQSBackend

_lock = threading.RLock()
_K_LONG_POLL_STEP_S = 0.2


def _atomic(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with _lock:
            return method(*args, **kwargs)
    return wrapper


for _name in ("send_message", "send_message_batch", "delete_message", "delete_message_batch",
              "change_message_visibility_batch"):
    setattr(SQSBackend, _name, _atomic(getattr(SQSBackend, _name)))

_change_visibility_once = SQSBackend.change_message_visibility


def _change_message_visibility(self, queue_name, receipt_handle, visibility_timeout):
    """moto's change, then: in flight exactly when hidden (the batch call comes here too)."""
    with _lock:
        _change_visibility_once(self, queue_name, receipt_handle, visibility_timeout)
        queue = self.get_queue(queue_name)
        for message in queue._messages:
            if message.had_receipt_handle(receipt_handle):
                if message.visible:
                    queue.pending_messages.discard(message)
                else:
                    queue.pending_messages.add(message)
                return


SQSBackend.change_message_visibility = _change_message_visibility


def _busy_groups(self):
    """Groups with a message in flight: received and still hidden (moto also counts a
    received message whose timeout ran out, until a receive walks past it)."""
    return {message.group_id for message in self._pending_messages
            if message.group_id is not None and not message.visible}


Queue.pending_message_groups = property(_busy_groups)

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
