"""A flow as a sequence of arrows between lanes, built from the exchange log's records.

The lanes are who takes part (:data:`LANES`); each of our requests is an arrow to the server it
went to and one back with the status, each step an arrow of its own, and a device (or CIBA)
flow's run of polls one "polled N times" arrow. Every word comes from the masked records, so
whatever draws this (the app's diagram, Mermaid text, the report's SVG) shows nothing the log
hides.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from workbench.core.transport.exchange import Exchange
from workbench.core.transport.flows import Actor, Flow, Step

#: Every lane in the order they are drawn, with its title.
LANES: tuple[tuple[Actor, str], ...] = (
    ("user", "User / browser"),
    ("client", "Token Workbench"),
    ("authorization_server", "Authorization server"),
    ("resource_server", "Resource server"),
    ("cognito", "Cognito API"),
)
LANE_TITLES: dict[Actor, str] = dict(LANES)

DEVICE_POLL = "token (device_code poll)"

#: Answers that tell a polling client to keep waiting (RFC 8628 §3.5, CIBA Core §11): drawn as
#: replies, not as failures.
WAIT_ERRORS = frozenset({"authorization_pending", "slow_down"})
CIBA_POLL = "token (ciba poll)"
#: Token polls a run of which is drawn as one arrow, and their request words.
POLLS = {DEVICE_POLL: "token request (device_code)", CIBA_POLL: "token request (ciba)"}


@dataclass(frozen=True)
class Arrow:
    """One arrow: ``reply`` for a response (drawn dashed), ``failed`` in the failure colour.

    ``exchange_ids`` are the exchanges it stands for (several for collapsed polls), ``step_id``
    the step it shows; ``status`` is the HTTP status in words, empty for a step.
    """

    source: Actor
    target: Actor
    label: str
    status: str = ""
    failed: bool = False
    reply: bool = False
    exchange_ids: tuple[int, ...] = ()
    step_id: int | None = None

    @property
    def exchange_id(self) -> int | None:
        """The exchange to select for this arrow (the last of collapsed polls)."""
        return self.exchange_ids[-1] if self.exchange_ids else None


@dataclass(frozen=True)
class SequenceModel:
    """The lanes a flow used (in :data:`LANES` order) and its arrows, first to last."""

    lanes: tuple[Actor, ...]
    arrows: tuple[Arrow, ...]
    flow: Flow | None = None

    @property
    def title(self) -> str:
        if self.flow is None:
            return "Exchanges"
        outcome = self.flow.outcome + (f": {self.flow.reason}" if self.flow.reason else "")
        return f"{self.flow.name} ({outcome})"


def server_of(exchange: Exchange) -> Actor:
    """The lane an exchange went to."""
    purpose = exchange.purpose
    if purpose.startswith("cognito-idp") or "cognito-idp." in urlsplit(exchange.url).netloc:
        return "cognito"
    if purpose.startswith("API call") or purpose.startswith("resource metadata"):
        return "resource_server"
    return "authorization_server"


def request_words(exchange: Exchange) -> str:
    """``token request (authorization_code)``, ``discovery request`` … for the arrow out."""
    purpose = exchange.purpose or exchange.method
    if purpose in POLLS:
        return POLLS[purpose]
    if purpose.startswith("token (") or purpose == "token":
        return "token request" + purpose[len("token") :]
    if purpose.startswith("cognito-idp"):
        return purpose
    return f"{purpose} request" if " " not in purpose else purpose


def response_words(exchange: Exchange) -> tuple[str, bool]:
    """The answer in words (``200 OK``, ``400 invalid_grant``, ``failed: …``) and whether it
    is a failure."""
    if exchange.status is None:
        return f"failed: {exchange.error or 'no response'}", True
    words = f"{exchange.status} {exchange.reason}".strip()
    error = _oauth_error(exchange.response_body)
    if error:
        words = f"{exchange.status} {error}"
    if error in WAIT_ERRORS and exchange.error is None:
        return words, False  # the poll's expected answer while the user decides
    return words, exchange.status >= 400 or exchange.error is not None


def _oauth_error(body: str) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    if isinstance(data, dict):
        for key in ("error", "__type"):
            if isinstance(data.get(key), str):
                return str(data[key])
    return ""


def build_sequence(
    exchanges: Iterable[Exchange], steps: Iterable[Step] = (), flow: Flow | None = None
) -> SequenceModel:
    """The sequence of ``exchanges`` and ``steps`` (of ``flow`` when given: the others are left
    out), in the order they happened."""
    wanted = None if flow is None else flow.id
    timeline: list[tuple[float, int, Exchange | Step]] = []
    for exchange in exchanges:
        if wanted is None or exchange.flow_id == wanted:
            timeline.append((exchange.started_at, 1, exchange))
    for step in steps:
        if wanted is None or step.flow_id == wanted:
            timeline.append((step.at, 0, step))
    timeline.sort(key=lambda item: (item[0], item[1]))
    arrows: list[Arrow] = []
    records = [record for _, _, record in timeline]
    index = 0
    while index < len(records):
        record = records[index]
        if isinstance(record, Step):
            arrows.extend(_step_arrows(record))
            index += 1
            continue
        polls = _poll_run(records, index)
        arrows.extend(_exchange_arrows(polls))
        index += len(polls)
    used = {lane for arrow in arrows for lane in (arrow.source, arrow.target)}
    lanes = tuple(lane for lane, _ in LANES if lane in used or lane == "client")
    return SequenceModel(lanes, tuple(arrows), flow)


def _poll_run(records: Sequence[Exchange | Step], start: int) -> list[Exchange]:
    """The exchange at ``start`` and, when it is a device poll, the polls right after it."""
    first = records[start]
    assert isinstance(first, Exchange)
    run = [first]
    if first.purpose not in POLLS:
        return run
    for record in records[start + 1 :]:
        if not isinstance(record, Exchange) or record.purpose != first.purpose:
            break
        run.append(record)
    return run


def _exchange_arrows(run: Sequence[Exchange]) -> list[Arrow]:
    last = run[-1]
    server = server_of(last)
    label = request_words(last)
    if len(run) > 1:
        label += f", polled {len(run)} times"
    status, failed = response_words(last)
    ids = tuple(exchange.id for exchange in run)
    return [
        Arrow("client", server, label, exchange_ids=ids),
        Arrow(server, "client", status, status, failed, reply=True, exchange_ids=ids),
    ]


def _step_arrows(step: Step) -> list[Arrow]:
    arrows = [Arrow(step.source, step.target, step.text, step_id=step.id)]
    if step.kind == "browser_opened":
        arrows.append(
            Arrow(
                "user",
                "authorization_server",
                "sign-in and consent in the browser",
                step_id=step.id,
            )
        )
    return arrows
