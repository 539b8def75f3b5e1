"""Where webhooks may go (SPEC 2.16): http(s) only, never a link-local or cloud-metadata
address, and, when ``ADR_WEBHOOK_ALLOWED_NETWORKS`` is set, only inside those networks.
Loopback and private ranges are allowed by default: the city's systems are on its intranet.

The check is made on the addresses the host name resolves to, at registration and again at
every delivery, and the delivery then connects to the address that was checked (the Host
header and TLS server name keep the name), so a name that resolves elsewhere a moment later
(DNS rebinding) cannot send the request somewhere it was not checked for.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]

# Never, whatever the allow-list says: instance metadata and other hosts' link-local
# services are how a webhook becomes a way into the cloud account.
_ALWAYS_REFUSED: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "169.254.0.0/16",  # IPv4 link-local, incl. 169.254.169.254 (AWS, GCP, Azure, …)
        "fe80::/10",  # IPv6 link-local
        "100.100.100.200/32",  # Alibaba Cloud metadata
        "168.63.129.16/32",  # Azure host services
        "fd00:ec2::254/128",  # AWS metadata over IPv6
        "0.0.0.0/8",  # "this host": reaches local services on some systems
        "::/128",
        "224.0.0.0/4",  # multicast
        "ff00::/8",
        "255.255.255.255/32",
    )
)


class UnsafeWebhookTarget(ValueError):
    """The URL may not receive webhooks; the message says why."""


@dataclass(frozen=True)
class Target:
    """A checked URL: connect to ``address``, name ``host`` in Host and TLS."""

    url: str
    scheme: str
    host: str
    port: int
    address: str

    def pinned_url(self) -> str:
        """The URL with the host replaced by the checked address."""
        parts = urlsplit(self.url)
        literal = f"[{self.address}]" if ":" in self.address else self.address
        path = parts.path or "/"
        query = f"?{parts.query}" if parts.query else ""
        return f"{self.scheme}://{literal}:{self.port}{path}{query}"

    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def check_url_shape(url: str) -> tuple[str, str, int]:
    """Scheme, host and port of an http(s) URL without credentials."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeWebhookTarget(f"not a valid URL: {error}") from None
    if parts.scheme not in ("http", "https"):
        raise UnsafeWebhookTarget("only http and https URLs receive webhooks")
    if not parts.hostname:
        raise UnsafeWebhookTarget("the URL names no host")
    if parts.username or parts.password:
        raise UnsafeWebhookTarget("credentials in the URL are not accepted")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def address_refusal(address: IPAddress, allowed: Sequence[IPNetwork]) -> str | None:
    """Why this address may not receive webhooks, or None."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in _ALWAYS_REFUSED):
        return f"{address} is a link-local, metadata or otherwise reserved address"
    if allowed and not any(address in network for network in allowed):
        return f"{address} is outside ADR_WEBHOOK_ALLOWED_NETWORKS"
    return None


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def resolve_target(
    url: str, allowed: Sequence[IPNetwork], *, resolver: Resolver = system_resolver
) -> Target:
    """Check the URL and every address its host resolves to; the first address is the one
    to connect to. Raises :class:`UnsafeWebhookTarget`."""
    scheme, host, port = check_url_shape(url)
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = await resolver(host, port)
        except (OSError, UnicodeError) as error:
            raise UnsafeWebhookTarget(f"the host {host} does not resolve: {error}") from None
        if not addresses:
            raise UnsafeWebhookTarget(f"the host {host} does not resolve")
    for text in addresses:
        refusal = address_refusal(ipaddress.ip_address(text.split("%")[0]), allowed)
        if refusal:
            raise UnsafeWebhookTarget(refusal)
    return Target(url, scheme, host, port, addresses[0].split("%")[0])
