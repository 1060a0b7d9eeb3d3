"""A polite, careful HTTP client for one site: robots.txt, rate limits, retries, size caps, safe redirects.

Polite: a User-Agent naming epaper, robots.txt honoured with its Crawl-delay, at most `per_host`
requests in flight and `rate` requests a second per host, retries with exponential backoff and
jitter (Retry-After honoured) on connection errors, timeouts, 429 and 5xx.
Careful: bodies are streamed and counted after decompression, so an oversized response or a gzip
bomb stops at the cap; redirects are followed only to the site's own hosts, never to a private or
loopback address unless the site itself lives there.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from exporter import __version__

USER_AGENT = f"epaper/{__version__} (e-paper to EPUB/PDF converter)"
ROBOTS_AGENT = "epaper"
MAX_BYTES = 64 * 1024 * 1024  # The size limit of every source file.
MAX_REDIRECTS = 5


@dataclass(frozen=True, slots=True)
class Politeness:
    """How hard and how long to try; tests shorten the waits."""

    rate: float = 4.0  # Requests a second per host; 0 = no limit (Crawl-delay still applies).
    per_host: int = 4  # Requests in flight per host.
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # Longest silence while reading a response.
    total_timeout: float = 120.0  # Longest time for one request, body included.
    retries: int = 4  # Tries after the first.
    backoff: float = 1.0  # First retry delay in seconds; doubles each try, with jitter.
    backoff_max: float = 60.0
    max_wait: float = 300.0  # A Retry-After longer than this gives up rather than stalling the run.
    max_bytes: int = MAX_BYTES
    robots: bool = True
    user_agent: str = USER_AGENT


@dataclass(frozen=True, slots=True)
class Response:
    url: str  # After redirects.
    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = ""
    location: str = ""  # Of a redirect.


class FetchError(Exception):
    """A URL that could not be fetched, with the reason in a few words."""

    def __init__(self, url: str, reason: str, *, disallowed: bool = False) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.disallowed = disallowed


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


@dataclass
class _Host:
    gate: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # Hands out request slots in turn.
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_slot: float = 0.0
    robots: Protego | None = None
    robots_checked: bool = False
    crawl_delay: float = 0.0


class Client:
    """Fetch URLs of one site. Use as `async with Client(...) as client:`."""

    def __init__(
        self,
        hosts: frozenset[str],
        politeness: Politeness | None = None,
        on_retry: Callable[[str, str], None] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        home: frozenset[str] | None = None,
    ) -> None:
        self.politeness = politeness or Politeness()
        self.hosts = frozenset(h.lower() for h in hosts)
        self.on_retry = on_retry
        # Private addresses are allowed only when the site itself (its first pages' host) lives there.
        self.on_loopback = any(_private(h) for h in (home if home is not None else self.hosts))
        self._hosts: dict[str, _Host] = {}
        p = self.politeness
        self._http = httpx.AsyncClient(
            http2=False,
            follow_redirects=False,
            headers={"User-Agent": p.user_agent},
            timeout=httpx.Timeout(connect=p.connect_timeout, read=p.read_timeout, write=p.read_timeout, pool=None),
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=4 * max(1, len(hosts)) * p.per_host),
            transport=transport,
            trust_env=False,  # No proxy from the environment: the site named is the site asked.
        )

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()

    def allowed(self, url: str) -> bool:
        """Say whether `url` is http(s) on one of the site's hosts."""
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and (parts.hostname or "").lower() in self.hosts

    async def get(self, url: str, headers: dict[str, str] | None = None) -> Response:
        """GET `url`, following redirects within the site; raise FetchError when it cannot be had.

        Any status that is no redirect is returned (200, 304, 404 …) after retries of 429 and 5xx.
        """
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            self._check_target(url, current)
            await self._check_robots(current)
            response = await self._with_retries(current, headers or {})
            if response.status not in (301, 302, 303, 307, 308):
                return response
            location = response.location
            if not location:
                raise FetchError(url, f"HTTP {response.status} without a Location")
            current = urljoin(current, location)
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")

    def _check_target(self, url: str, target: str) -> None:
        parts = urlsplit(target)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https"):
            raise FetchError(url, f"redirect to {target[:120]}: not http(s), refused")
        if host not in self.hosts:
            raise FetchError(url, f"redirect to {host or target[:120]}: another site, refused")
        if _private(host) and not self.on_loopback:
            raise FetchError(url, f"redirect to {host}: a private or loopback address, refused")

    def _host(self, host: str) -> _Host:
        if host not in self._hosts:
            self._hosts[host] = _Host(asyncio.Semaphore(self.politeness.per_host))
        return self._hosts[host]

    async def _check_robots(self, url: str) -> None:
        if not self.politeness.robots:
            return
        parts = urlsplit(url)
        state = self._host(f"{parts.scheme}://{parts.netloc}".lower())
        async with state.robots_lock:  # One robots.txt request per host, the others wait for it.
            if not state.robots_checked:
                state.robots_checked = True
                state.robots, state.crawl_delay = await self._robots(f"{parts.scheme}://{parts.netloc}/robots.txt")
        if state.robots is not None and not state.robots.can_fetch(url, ROBOTS_AGENT):
            raise FetchError(url, "disallowed by robots.txt", disallowed=True)

    async def _robots(self, url: str) -> tuple[Protego | None, float]:
        try:
            response = await self._with_retries(url, {})
        except FetchError:
            return None, 0.0  # No robots.txt to be had: nothing disallowed.
        if response.status != 200:
            return None, 0.0
        rules = Protego.parse(response.body.decode("utf-8", "replace"))
        delay = rules.crawl_delay(ROBOTS_AGENT)
        return rules, float(delay or 0.0)

    async def _with_retries(self, url: str, headers: dict[str, str]) -> Response:
        p = self.politeness
        for attempt in range(p.retries + 1):
            try:
                return await self._attempt(url, headers)
            except _Retry as retry:
                if attempt == p.retries:
                    tries = f"{attempt + 1} tries" if attempt else "1 try"
                    raise FetchError(url, f"{retry.reason} (gave up after {tries})") from None
                if retry.wait is not None and retry.wait > p.max_wait:
                    raise FetchError(url, f"{retry.reason}; the site asks to wait {retry.wait:.0f} s") from None
                delay = retry.wait
                if delay is None:
                    delay = min(p.backoff_max, p.backoff * 2**attempt) * random.uniform(0.5, 1.0)
                else:  # The whole host waits: other requests would only earn more 429s.
                    state = self._host(_origin(url))
                    state.next_slot = max(state.next_slot, time.monotonic() + delay)
                if self.on_retry:
                    self.on_retry(url, retry.reason)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def _attempt(self, url: str, headers: dict[str, str]) -> Response:
        p = self.politeness
        state = self._host(_origin(url))
        async with state.gate:
            await self._slot(state)
            try:
                async with asyncio.timeout(p.total_timeout):
                    return await self._read(url, headers)
            except TimeoutError:
                raise _Retry(f"no complete answer within {p.total_timeout:g} s") from None
            except httpx.TimeoutException as exc:
                raise _Retry(f"timed out ({type(exc).__name__})") from None
            except httpx.RemoteProtocolError as exc:
                raise _Retry(f"broken response: {exc}") from None
            except httpx.TransportError as exc:
                raise _Retry(f"connection failed: {exc or type(exc).__name__}") from None

    async def _slot(self, state: _Host) -> None:
        """Wait for the host's next request slot: the rate limit and Crawl-delay, whichever is longer."""
        p = self.politeness
        interval = max(1.0 / p.rate if p.rate > 0 else 0.0, state.crawl_delay)
        async with state.lock:
            now = time.monotonic()
            wait = state.next_slot - now
            if wait > 0:
                await asyncio.sleep(wait)
                now = time.monotonic()
            state.next_slot = now + interval

    async def _read(self, url: str, headers: dict[str, str]) -> Response:
        p = self.politeness
        async with self._http.stream("GET", url, headers=headers) as response:
            status = response.status_code
            if status == 429 or 500 <= status < 600:
                raise _Retry(f"HTTP {status}", _retry_after(response.headers.get("retry-after")))
            if status in (301, 302, 303, 307, 308):
                return Response(url, status, location=response.headers.get("location", ""))
            if status != 200:
                return Response(url, status)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > p.max_bytes and not response.headers.get("content-encoding"):
                raise FetchError(url, f"{int(declared)} bytes: larger than the {p.max_bytes >> 20} MiB limit")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > p.max_bytes:  # Counted after decompression: a gzip bomb stops here.
                    raise FetchError(url, f"larger than the {p.max_bytes >> 20} MiB limit: stopped")
                chunks.append(chunk)
            return Response(
                url,
                status,
                b"".join(chunks),
                response.headers.get("etag"),
                response.headers.get("last-modified"),
                response.headers.get("content-type", ""),
            )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _retry_after(value: str | None) -> float | None:
    """Read Retry-After: seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _private(host: str) -> bool:
    """Say whether a host name is a loopback, private or link-local address."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
