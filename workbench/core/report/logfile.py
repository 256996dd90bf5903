"""The one JSON format of an exchange log with its flows: what the app's Export writes, what
every CLI command's ``--log-json FILE`` writes (appending its flow when the file exists), and
what ``workbench report --from-log`` reads.

A document holds ``exported_at``, ``exchanges`` (each :meth:`Exchange.to_dict`, with the id of
its flow), ``flows`` (:meth:`Flow.to_dict`), ``steps`` (:meth:`Step.to_dict`) and ``versions``
(the app's and its libraries'). Exchange and step ids are unique within one flow: each CLI run
numbers its own from 1. Everything in it is masked as the log is; the file is still written
readable by its owner only (:func:`~workbench.core.private_files.write_private_text`).
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from workbench import __version__
from workbench.core.errors import ConfigError
from workbench.core.private_files import write_private_text
from workbench.core.transport.exchange import Exchange
from workbench.core.transport.flows import Flow, Step

#: The libraries whose versions a log and a report name beside the app's.
LIBRARIES = ("requests", "urllib3", "PyJWT", "cryptography", "boto3")


def versions() -> dict[str, str]:
    """The app's, Python's and :data:`LIBRARIES`' versions (``not installed`` when absent)."""
    found = {"workbench": __version__, "python": platform.python_version()}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


@dataclass(frozen=True)
class LogRecords:
    """A log read back: its exchanges, steps and flows, and what the file said of itself."""

    exchanges: tuple[Exchange, ...]
    steps: tuple[Step, ...] = ()
    flows: tuple[Flow, ...] = ()
    versions: tuple[tuple[str, str], ...] = ()
    exported_at: str = ""

    def flow(self, flow_id: str) -> Flow:
        for flow in self.flows:
            if flow.id == flow_id:
                return flow
        known = ", ".join(f"{f.id} ({f.name})" for f in self.flows) or "none"
        raise ConfigError(f"The log has no flow {flow_id}; its flows: {known}.")


def log_document(
    exchanges: Iterable[Exchange], flows: Iterable[Flow] = (), steps: Iterable[Step] = ()
) -> dict[str, Any]:
    """The JSON document of a log (see the module's description)."""
    return {
        "exported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "exchanges": [exchange.to_dict() for exchange in exchanges],
        "flows": [flow.to_dict() for flow in flows],
        "steps": [step.to_dict() for step in steps],
        "versions": versions(),
    }


def parse_log(document: Any) -> LogRecords:
    """The records of a log document; ``ConfigError`` in words when it is none."""
    if not isinstance(document, dict) or not isinstance(document.get("exchanges"), list):
        raise ConfigError("This is not an exchange log: it has no list of exchanges.")
    try:
        return LogRecords(
            exchanges=tuple(Exchange.from_dict(item) for item in document["exchanges"]),
            steps=tuple(Step.from_dict(item) for item in document.get("steps") or ()),
            flows=tuple(Flow.from_dict(item) for item in document.get("flows") or ()),
            versions=tuple((str(k), str(v)) for k, v in (document.get("versions") or {}).items()),
            exported_at=str(document.get("exported_at") or ""),
        )
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"The exchange log cannot be read: {exc!r}.") from None


def read_log(path: str | Path) -> LogRecords:
    """The log in the file ``path``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Could not read {path}: {exc.strerror or exc}.") from None
    try:
        document = json.loads(text)
    except ValueError:
        raise ConfigError(f"{path} is not JSON: not an exchange log.") from None
    return parse_log(document)


def append_log(
    path: str | Path, exchanges: Iterable[Exchange], flows: Iterable[Flow], steps: Iterable[Step]
) -> None:
    """Write the records to ``path`` (mode 0600), after those of the log already there."""
    exchanges, flows, steps = list(exchanges), list(flows), list(steps)
    if Path(path).exists():
        before = read_log(path)
        exchanges = [*before.exchanges, *exchanges]
        known = {flow.id for flow in flows}
        flows = [*(f for f in before.flows if f.id not in known), *flows]
        steps = [*before.steps, *steps]
    text = json.dumps(log_document(exchanges, flows, steps), indent=2, ensure_ascii=False)
    write_private_text(path, text + "\n")
