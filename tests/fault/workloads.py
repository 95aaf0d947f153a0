"""Workloads and log readers shared by the fault, crash and hostile-input tests.

The order-sensitive workload: many requests for a few widgets, where every update sets
`last` to its own sequence number, `a{n % 7}` to n, and the label to "u{n}"; a delete now and
then, after which the next request for that widget is a create. A request lost, applied twice
out of order (a replay after newer state) or applied out of order leaves a visibly different
final store: a wrong `last`, a wrong `a{k}`, a widget that should be gone or missing.

The expected store is computed by the few lines in `_apply`: only plain "set" semantics
(create = replace, update = set label and two attributes in place or appended), so it does not
re-implement the interesting rules of SPEC.md §4 (empty values, nulls, missing widgets), which
the conformance sets check.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field

import wc_harness as h

K_FIRST_KEY = 1_700_000_000_000  # 13-digit epoch milliseconds, as the producer writes keys
OWNERS = ("Mary Matthews", "Sue Smith", "John Jones")


@dataclass
class Workload:
    requests: dict[str, bytes]  # key -> body, in key order
    widgets: dict[str, dict]  # expected store: "widgets/{owner}/{id}" -> widget JSON
    widget_ids: list[str] = field(default_factory=list)

    def expected_after(self, keys) -> dict[str, dict]:
        """The store after applying just the requests `keys`, in key order."""
        state: dict[str, dict] = {}
        for key in sorted(keys):
            _apply(state, json.loads(self.requests[key]))
        return state


def owner_key(owner: str) -> str:
    return owner.replace(" ", "-").lower()


def widget_store_key(owner: str, widget_id: str) -> str:
    return f"widgets/{owner_key(owner)}/{widget_id}"


def _apply(state: dict[str, dict], request: dict) -> None:
    widget_id = request["widgetId"]
    key = widget_store_key(request["owner"], widget_id)
    if request["type"] == "create":
        widget = {"widgetId": widget_id, "owner": request["owner"], "label": request["label"]}
        widget["otherAttributes"] = [dict(a) for a in request["otherAttributes"]]
        state[key] = widget
    elif request["type"] == "delete":
        state.pop(key, None)  # a delete of a missing widget changes nothing
    elif key in state:  # an update of a missing widget changes nothing
        widget = state[key]
        if "label" in request:
            widget["label"] = request["label"]
        attributes = widget.setdefault("otherAttributes", [])
        for entry in request.get("otherAttributes", []):
            existing = next((a for a in attributes if a["name"] == entry["name"]), None)
            if existing:
                existing["value"] = entry["value"]
            else:
                attributes.append(dict(entry))


def ordered_workload(count: int, widgets: int, seed: int, delete_share: float = 0.04,
                     first_key: int = K_FIRST_KEY) -> Workload:
    """`count` requests over `widgets` widgets; see the module comment."""
    rng = random.Random(seed)
    widget_ids = [f"w{seed}-{i:03d}" for i in range(widgets)]
    owner_of = {w: OWNERS[i % len(OWNERS)] for i, w in enumerate(widget_ids)}
    state: dict[str, dict] = {}
    requests: dict[str, bytes] = {}
    for n in range(count):
        widget_id = rng.choice(widget_ids)
        exists = widget_store_key(owner_of[widget_id], widget_id) in state
        request = {"requestId": f"r{n}", "widgetId": widget_id, "owner": owner_of[widget_id]}
        if not exists:
            request.update(type="create", label=f"c{n}",
                           otherAttributes=[{"name": "born", "value": str(n)}])
        elif rng.random() < delete_share:
            request["type"] = "delete"
        else:
            request.update(type="update", label=f"u{n}",
                           otherAttributes=[{"name": "last", "value": str(n)},
                                            {"name": f"a{n % 7}", "value": str(n)}])
        _apply(state, request)
        requests[str(first_key + n)] = json.dumps(request, separators=(",", ":")).encode()
    return Workload(requests, state, widget_ids)


# ------------------------------------------------------------------------------------------
# The consumer's per-request log lines (the format is wc_harness's, README.md "Logging").

OUTCOMES = h.OUTCOMES
RequestLine = h.RequestLine
request_lines = h.request_lines
# Kept for modules written against the earlier harness (search it in a whole log line).
RETRY_LINE = re.compile(r" WARNING retrying \S+ on .* after attempt \d+ failed ")


def out_of_order(lines: list[RequestLine]) -> list[str]:
    """Per widget, the keys must appear in increasing order; returns the violations."""
    last: dict[str, str] = {}
    problems = []
    for line in lines:
        if line.widget == "-":
            continue
        previous = last.get(line.widget)
        if previous is not None and line.key <= previous:
            problems.append(f"widget {line.widget}: {line.key} logged after {previous}")
        last[line.widget] = line.key
    return problems


# ------------------------------------------------------------------------------------------
# Concurrency (issue 5): the consumer's --concurrency, at the levels a test runs.

K_CONCURRENCY_LEVELS = h.CONCURRENCY_LEVELS
# The default level alone: for tests whose assertions do not depend on the order of the whole
# run (the other level runs in the tests that do, see wc_harness.CONCURRENCY_LEVELS).
CONCURRENT_ONLY = ("32",)


def concurrency_variants(levels=K_CONCURRENCY_LEVELS) -> list[list[str]]:
    """Consumer arguments, one list per level to run."""
    return [["--concurrency", level] for level in levels]


def is_sequential(extra: list[str]) -> bool:
    """True when these consumer arguments apply one request at a time (so the log follows the
    source order exactly, not only per widget)."""
    return not extra or extra[-1] == "1"


def concurrency_of(extra: list[str], default: int = 32) -> int:
    """How many requests these consumer arguments may run at once (the consumer's default when
    they do not say)."""
    return int(extra[-1]) if extra else default
