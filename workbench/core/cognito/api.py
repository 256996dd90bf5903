"""The boto3 ``cognito-idp`` client of the workbench: recorded, bounded, errors in words.

:func:`make_client` builds a client for a :class:`CognitoPool` (region, AWS profile of the
standard credential chain, endpoint override, TLS verification) with connect/read timeouts and no
automatic retries: a throttled call is shown, not silently repeated. :class:`CognitoApi`
installs the exchange recorder on it and turns every botocore exception into the core's error
family.

This is blocking I/O: call it off the GUI thread (``workbench.ui.workers``).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from workbench import __version__
from workbench.core.cognito.errors import from_boto_exception
from workbench.core.cognito.pool import CognitoPool
from workbench.core.cognito.recorder import BotoExchangeRecorder
from workbench.core.transport.exchange import ExchangeLog
from workbench.core.transport.limits import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from botocore.config import Config

__all__ = ["CognitoApi", "make_client"]


def client_config(timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> Config:
    from botocore.config import Config  # boto3 is imported on first use: it costs ~100 ms

    return Config(
        connect_timeout=timeout[0],
        read_timeout=timeout[1],
        retries={"total_max_attempts": 1, "mode": "standard"},
        user_agent_extra=f"TokenWorkbench/{__version__}",
    )


_loader_lock = threading.Lock()
_loader: Any = None


def _shared_loader(core_session: Any) -> Any:
    """One botocore data loader for every client: the service model is parsed once, not per
    client (about 70 ms each). Its caches only ever add entries, so sharing it is safe."""
    global _loader
    with _loader_lock:
        if _loader is None:
            _loader = core_session.get_component("data_loader")
        return _loader


def make_client(pool: CognitoPool, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> Any:
    """A ``cognito-idp`` client for ``pool`` (ConfigError for an unknown profile or region)."""
    import boto3.session

    try:
        session = boto3.session.Session(
            profile_name=pool.aws_profile or None, region_name=pool.require_region()
        )
        core = session._session  # the botocore session; boto3 has no public name for it
        core.register_component("data_loader", _shared_loader(core))
        return session.client(
            "cognito-idp",
            endpoint_url=pool.endpoint_url or None,
            verify=pool.verify_tls,
            config=client_config(timeout),
        )
    except Exception as exc:
        mapped = from_boto_exception(exc, {"endpoint": pool.endpoint_url or "Cognito"})
        if mapped is None:
            raise
        raise mapped from exc


class CognitoApi:
    """One pool's boto3 client, every call recorded in ``log`` and mapped to core errors.

    Pass ``client`` to use an existing botocore client (tests wrap it in a ``Stubber``); it
    gets the recorder too.
    """

    def __init__(
        self,
        pool: CognitoPool,
        log: ExchangeLog | None = None,
        *,
        client: Any | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self.pool = pool
        self.log = log if log is not None else ExchangeLog()
        self.log.add_secret(pool.client_secret)
        self.client: Any = client if client is not None else make_client(pool, timeout)
        BotoExchangeRecorder(self.log, pool.region).install(self.client)

    def call(
        self, operation: str, context: Mapping[str, Any] | None = None, **params: Any
    ) -> dict[str, Any]:
        """``client.<operation>(**params)`` without ResponseMetadata; core errors on failure.

        ``context`` helps the advice (``auth_flow`` ...).
        """
        try:
            response = getattr(self.client, operation)(**params)
        except Exception as exc:
            mapped = from_boto_exception(
                exc,
                {
                    **(context or {}),
                    "operation": operation,
                    "has_secret": self.pool.has_secret,
                    "emulator": bool(self.pool.endpoint_url),
                    "endpoint": self.pool.endpoint_url or "Cognito",
                    "secrets": self.log.secrets(),
                },
            )
            if mapped is None:
                raise
            raise mapped from exc
        return {k: v for k, v in dict(response).items() if k != "ResponseMetadata"}

    def close(self) -> None:
        """Close the client's connections (call when no call is in flight)."""
        self.client.close()
