"""The HTTP transport every provider call goes through, and the helpers the adapters share.

Every request is bounded by the adapter's timeout (connect, each read and the whole answer):
deep-translator passes no timeout at all, and a dead provider must cost seconds, never the
whole Lambda timeout.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import requests

from chalicelib.adapters.resilient_translator import ProviderRefused
from chalicelib.adapters.secrets import SecretUnavailable, resolve_secret
from chalicelib.domain.ports import ProviderUnavailable, TranslationRejected
from chalicelib.settings import SecretSetting

AUTO = "auto"  # the source code for "detect it yourself"
# Where a provider limits characters only, its byte limit never binds: 4 bytes of UTF-8 at most.
UTF8_MAX_BYTES_PER_CHAR = 4

# --- the HTTP transport ---------------------------------------------------------------------

_DEFAULT_TIMEOUT_SECONDS = 10.0  # only for requests made outside an adapter call
_READ_CHUNK_BYTES = 16_384


@dataclass
class _ProviderCall:
    """One adapter call in progress: its timeout, and every response it received."""

    timeout_seconds: float
    responses: list[requests.Response] = field(default_factory=list)


# A context variable, not a global: worker threads translate in parallel with their own calls.
_current_call: ContextVar[_ProviderCall | None] = ContextVar("translator_call", default=None)
_sessions = threading.local()


@contextmanager
def provider_call(timeout_seconds: float) -> Iterator[_ProviderCall]:
    call = _ProviderCall(timeout_seconds)
    token = _current_call.set(call)
    try:
        yield call
    finally:
        _current_call.reset(token)


def _session() -> requests.Session:
    # One session per thread: connections (and TLS handshakes) are reused across tickets.
    session = getattr(_sessions, "session", None)
    if session is None:
        session = requests.Session()
        _sessions.session = session
    return session


def http_request(method: str, url: str, **kwargs: Any) -> requests.Response:
    """One HTTP request, bounded by the timeout of the adapter call in progress.

    The timeout bounds connecting and each read, and the whole answer must arrive before the
    deadline (checked after every read of whatever bytes have come), so a server that trickles
    its answer cannot hold us either. Network failures and timeouts raise ProviderUnavailable;
    the response is recorded on the call.
    """
    from urllib3.exceptions import HTTPError as Urllib3Error
    from urllib3.exceptions import TimeoutError as Urllib3Timeout

    call = _current_call.get()
    timeout = call.timeout_seconds if call is not None else _DEFAULT_TIMEOUT_SECONDS
    kwargs.pop("timeout", None)
    deadline = time.monotonic() + timeout
    try:
        response = _session().request(method, url, timeout=timeout, stream=True, **kwargs)
        try:
            response._content = _read_before(response, deadline, timeout)
        finally:
            response.close()
    except (requests.Timeout, Urllib3Timeout, TimeoutError):
        raise ProviderUnavailable(f"no answer within {timeout:g} s") from None
    except (requests.RequestException, Urllib3Error, OSError) as error:
        raise ProviderUnavailable(f"connection failed ({type(error).__name__})") from None
    if call is not None:
        call.responses.append(response)
    return response


def _read_before(response: requests.Response, deadline: float, timeout: float) -> bytes:
    """The body, read as it arrives (read1 returns what is there, not a full chunk)."""
    raw = response.raw
    read = getattr(raw, "read1", raw.read)
    body = bytearray()
    while True:
        piece = read(_READ_CHUNK_BYTES, decode_content=True)
        if not piece:
            # What requests does itself when it reads a body: .text and .json() use these bytes.
            response._content_consumed = True
            return bytes(body)
        body += piece
        if time.monotonic() > deadline:
            raise ProviderUnavailable(f"no complete answer within {timeout:g} s")


class _RequestsThroughTransport:
    """Stands in for `requests` inside deep-translator's provider modules (they call
    `requests.get/post` with no timeout), sending their requests through `http_request`."""

    exceptions = requests.exceptions

    @staticmethod
    def get(url: str, params: Any = None, **kwargs: Any) -> requests.Response:
        return http_request("GET", url, params=params, **kwargs)

    @staticmethod
    def post(url: str, data: Any = None, json: Any = None, **kwargs: Any) -> requests.Response:
        return http_request("POST", url, data=data, json=json, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(requests, name)


_REQUESTS_THROUGH_TRANSPORT = _RequestsThroughTransport()


def through_transport(module: ModuleType) -> None:
    """Make a deep-translator module send its requests through `http_request` (idempotent)."""
    module.requests = _REQUESTS_THROUGH_TRANSPORT  # type: ignore[attr-defined]


# --- classifying answers ----------------------------------------------------------------------

# Refused whatever the text: a key the provider does not accept, a spent quota (402, DeepL's 456),
# or an endpoint that does not exist (a wrong URL in settings). Failing over helps; retrying does not.
_REFUSED_STATUSES = frozenset({401, 402, 403, 404, 405, 456})


def _error_for_status(response: requests.Response) -> ProviderUnavailable | TranslationRejected | None:
    status = response.status_code
    if 200 <= status < 300:
        return None
    detail = f"HTTP {status}{_error_detail(response)}"
    if status in _REFUSED_STATUSES:
        return ProviderRefused(detail)
    if status in (408, 429) or status >= 500 or status < 400:
        return ProviderUnavailable(detail)
    return TranslationRejected(detail)  # 400, 413, 414, 422...: about this input


def raise_for_status(response: requests.Response) -> None:
    error = _error_for_status(response)
    if error is not None:
        raise error


def _error_detail(response: requests.Response) -> str:
    """The provider's short error message, if it sent one (it ends up in the ticket's reason)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    message: Any = None
    if isinstance(body, dict):
        error = body.get("error")
        message = error.get("message") if isinstance(error, dict) else error
        message = message or body.get("message") or body.get("responseDetails")
    return f": {str(message)[:120]}" if message else ""


def response_json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise ProviderUnavailable(f"answer is not JSON (HTTP {response.status_code})") from None


def checked_translation(translated: object) -> str:
    if not isinstance(translated, str) or not translated.strip():
        raise TranslationRejected("empty translation")
    return translated


def api_key_value(setting: SecretSetting) -> str:
    try:
        return resolve_secret(setting)
    except SecretUnavailable as error:
        raise ProviderRefused(str(error)) from None


def provider_code(codes: dict[str, str], language: str, provider: str) -> str:
    try:
        return codes[language]
    except KeyError:
        raise TranslationRejected(f"{provider} does not translate {language!r}") from None


def failure_of_deep_translator(error: Exception, call: _ProviderCall) -> ProviderUnavailable | TranslationRejected:
    """What a deep-translator exception means, judged by the HTTP answer behind it when there was one."""
    from deep_translator import exceptions

    if call.responses:
        by_status = _error_for_status(call.responses[-1])
        if by_status is not None:
            return by_status
    if isinstance(
        error,
        exceptions.LanguageNotSupportedException
        | exceptions.InvalidSourceOrTargetLanguage
        | exceptions.NotValidLength
        | exceptions.NotValidPayload
        | exceptions.TranslationNotFound,
    ):
        return TranslationRejected(type(error).__name__)
    if isinstance(error, exceptions.TooManyRequests):
        return ProviderUnavailable("TooManyRequests")
    # A 200 the library could not read (a changed page, a captcha): the provider is not usable now.
    return ProviderUnavailable(type(error).__name__)
