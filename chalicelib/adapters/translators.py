"""Translation providers behind the Translator port, and the factory for the configured chain.

Every adapter maps our ISO 639-1 codes to the provider's and turns every failure into
ProviderUnavailable (network, timeout, 5xx, 429; ProviderRefused for a refused key or spent
quota) or TranslationRejected (unsupported pair, a 4xx about the input, an empty answer).

Every HTTP request goes through `http_request`, which bounds it by the adapter's timeout:
deep-translator passes no timeout at all, and a dead provider must cost seconds, never the
whole Lambda timeout. Google and MyMemory run through deep-translator with that transport in
place of `requests`. DeepL, Microsoft and LibreTranslate are called directly, because
deep-translator 1.11.4 speaks protocols they no longer accept or does network I/O we cannot
bound (see each class). Amazon Translate goes through boto3.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import requests

from chalicelib.adapters.resilient_translator import CircuitBreaker, ProviderRefused, ResilientTranslator, RetryPolicy
from chalicelib.adapters.secrets import SecretUnavailable, forget_secret, resolve_secret
from chalicelib.domain.ports import ProviderUnavailable, TranslationRejected, Translator
from chalicelib.settings import SecretSetting, Settings

AUTO = "auto"  # the source code for "detect it yourself"
# Where a provider limits characters only, its byte limit never binds: 4 bytes of UTF-8 at most.
_UTF8_MAX_BYTES_PER_CHAR = 4

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
def _provider_call(timeout_seconds: float) -> Iterator[_ProviderCall]:
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


def _through_transport(module: ModuleType) -> None:
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


def _raise_for_status(response: requests.Response) -> None:
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


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise ProviderUnavailable(f"answer is not JSON (HTTP {response.status_code})") from None


def _checked_translation(translated: object) -> str:
    if not isinstance(translated, str) or not translated.strip():
        raise TranslationRejected("empty translation")
    return translated


def _api_key(setting: SecretSetting) -> str:
    try:
        return resolve_secret(setting)
    except SecretUnavailable as error:
        raise ProviderRefused(str(error)) from None


def _code(codes: dict[str, str], language: str, provider: str) -> str:
    try:
        return codes[language]
    except KeyError:
        raise TranslationRejected(f"{provider} does not translate {language!r}") from None


def _failure_of_deep_translator(error: Exception, call: _ProviderCall) -> ProviderUnavailable | TranslationRejected:
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


# --- Amazon Translate ------------------------------------------------------------------------

# Refused whatever the text: credentials or permissions. Throttling and server trouble is
# recognised by code (some come back as HTTP 400) and by status.
_AWS_REFUSED = frozenset(
    {
        "AccessDeniedException",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "IncompleteSignature",
        "MissingAuthenticationToken",
        "MissingAuthenticationTokenException",
        "InvalidClientTokenId",
        "ExpiredTokenException",
        "ExpiredToken",
    }
)
_AWS_UNAVAILABLE = frozenset(
    {
        "ThrottlingException",
        "TooManyRequestsException",
        "LimitExceededException",
        "ServiceUnavailableException",
        "InternalServerException",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)


class AmazonTranslator:
    """Amazon Translate (TranslateText) through boto3; AWS_ENDPOINT_URL_TRANSLATE points it elsewhere.

    The client is its own, not chalicelib.adapters.aws.client("translate"): that one retries 4
    times with a 10 s read timeout, which would multiply TRANSLATE_TIMEOUT_SECONDS and repeat
    what ResilientTranslator already does. Source "auto" makes Amazon Translate call Comprehend:
    the function also needs comprehend:DetectDominantLanguage for undetermined texts.
    """

    name = "aws"
    max_chars = 10_000
    max_bytes = 10_000  # TranslateText takes at most 10,000 bytes of UTF-8

    def __init__(self, timeout_seconds: float, client_factory: Callable[[float], Any] | None = None) -> None:
        self._timeout = timeout_seconds
        self._client_factory = client_factory or _amazon_translate_client
        self._client: Any = None
        self._lock = threading.Lock()

    def translate(self, text: str, source: str, target: str) -> str:
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ParamValidationError

        if not text.strip():
            return text
        if len(text.encode("utf-8")) > self.max_bytes:
            raise TranslationRejected(f"text is over Amazon Translate's {self.max_bytes} bytes")
        try:
            answer = self._translate_client().translate_text(
                Text=text, SourceLanguageCode=source, TargetLanguageCode=target
            )
        except ClientError as error:
            failure = _aws_failure(error)
            if source == AUTO and error.response.get("Error", {}).get("Code") == "AccessDeniedException":
                # Detecting the source needs comprehend:DetectDominantLanguage as well. Without it
                # only undetermined texts fail: reject those (the next provider detects) rather
                # than count the provider as down and open its breaker for every ticket.
                failure = TranslationRejected(f"source detection refused ({failure})")
            raise failure from None
        except NoCredentialsError:
            raise ProviderRefused("no AWS credentials") from None
        except ParamValidationError as error:
            raise TranslationRejected(f"invalid request ({str(error)[:120]})") from None
        except BotoCoreError as error:
            raise ProviderUnavailable(type(error).__name__) from None
        return _checked_translation(answer.get("TranslatedText"))

    def _translate_client(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._client_factory(self._timeout)
        return self._client


def _amazon_translate_client(timeout_seconds: float) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=timeout_seconds,
        read_timeout=timeout_seconds,
        retries={"mode": "standard", "total_max_attempts": 1},
    )
    return boto3.session.Session().client("translate", config=config)


def _aws_failure(error: Any) -> ProviderUnavailable | TranslationRejected:
    code = str(error.response.get("Error", {}).get("Code", ""))
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    message = str(error.response.get("Error", {}).get("Message", ""))[:120]
    detail = f"{code or 'HTTP ' + str(status)}{': ' + message if message else ''}"
    if code in _AWS_REFUSED:
        return ProviderRefused(detail)
    if code in _AWS_UNAVAILABLE or status == 429 or status >= 500 or status == 0:
        return ProviderUnavailable(detail)
    return TranslationRejected(detail)  # UnsupportedLanguagePair, TextSizeLimitExceeded, ...


# --- Google (deep-translator) ----------------------------------------------------------------

# deep-translator's Google client knows a few of our ISO 639-1 codes by older names.
_GOOGLE_CODES = {"he": "iw", "zh": "zh-CN"}


class GoogleTranslator:
    """Google Translate through deep-translator (no API key; the public mobile page).

    `base_url` points it elsewhere (a test server speaking the same protocol).
    """

    name = "google"
    max_chars = 4_900  # deep-translator refuses 5,000 characters or more
    # The text travels in the URL of a GET, where non-ASCII bytes take 3 characters each:
    # 5,000 bytes stay under the ~16 KB that front ends accept in a request line.
    max_bytes = 5_000

    def __init__(self, base_url: str | None, timeout_seconds: float) -> None:
        self._base_url = base_url
        self._timeout = timeout_seconds

    def translate(self, text: str, source: str, target: str) -> str:
        from deep_translator import GoogleTranslator as DeepGoogle
        from deep_translator import exceptions, google

        _through_transport(google)
        with _provider_call(self._timeout) as call:
            try:
                client = DeepGoogle(source=_GOOGLE_CODES.get(source, source), target=_GOOGLE_CODES.get(target, target))
            except (exceptions.LanguageNotSupportedException, exceptions.InvalidSourceOrTargetLanguage) as error:
                raise TranslationRejected(str(error).split("\n")[0][:120]) from None
            if not text.strip():
                return text
            if self._base_url:
                client._base_url = self._base_url
            try:
                translated = client.translate(text)
            except (ProviderUnavailable, TranslationRejected):
                raise
            except Exception as error:
                raise _failure_of_deep_translator(error, call) from None
        return _checked_translation(translated)


# --- MyMemory (deep-translator) --------------------------------------------------------------

# deep-translator only accepts MyMemory's regional codes; where a language has several, the
# variant most of our requesters write (Latin-American Spanish is read fine as es-ES by MyMemory).
_MYMEMORY_CODES = {
    "en": "en-US",
    "es": "es-ES",
    "pt": "pt-BR",
    "fr": "fr-FR",
    "de": "de-DE",
    "it": "it-IT",
    "nl": "nl-NL",
    "pl": "pl-PL",
    "tr": "tr-TR",
    "ru": "ru-RU",
    "uk": "uk-UA",
    "ar": "ar-SA",
    "fa": "fa-IR",
    "hi": "hi-IN",
    "bn": "bn-IN",
    "id": "id-ID",
    "ms": "ms-MY",
    "vi": "vi-VN",
    "th": "th-TH",
    "ja": "ja-JP",
    "ko": "ko-KR",
    "zh": "zh-CN",
    "tl": "tl-PH",
    "sv": "sv-SE",
    "sw": "sw-KE",
    "ro": "ro-RO",
    "el": "el-GR",
    "he": "he-IL",
    "cs": "cs-CZ",
    "hu": "hu-HU",
}
# MyMemory answers HTTP 200 and puts its own status in the body.
_MYMEMORY_QUOTA_STATUSES = frozenset({429})


class MyMemoryTranslator:
    """MyMemory through deep-translator. It cannot detect the source language ("auto" is refused
    before any request) and reports errors and spent quotas inside an HTTP 200 body."""

    name = "mymemory"
    max_chars = 499  # deep-translator refuses 500 characters or more
    max_bytes = 500  # MyMemory's own limit on `q`, in bytes of UTF-8

    def __init__(self, base_url: str | None, email: str | None, timeout_seconds: float) -> None:
        self._base_url = base_url
        self._email = email
        self._timeout = timeout_seconds

    def translate(self, text: str, source: str, target: str) -> str:
        from deep_translator import MyMemoryTranslator as DeepMyMemory
        from deep_translator import mymemory

        if source == AUTO:
            raise TranslationRejected("mymemory cannot detect the source language")
        source_code = _code(_MYMEMORY_CODES, source, self.name)
        target_code = _code(_MYMEMORY_CODES, target, self.name)
        if not text.strip():
            return text
        _through_transport(mymemory)
        with _provider_call(self._timeout) as call:
            try:
                client = DeepMyMemory(source=source_code, target=target_code, email=self._email)
                if self._base_url:
                    client._base_url = self._base_url
                translated = client.translate(text)
            except (ProviderUnavailable, TranslationRejected):
                raise
            except Exception as error:
                if call.responses:
                    _check_mymemory_answer(call.responses[-1])  # its own status says more
                if isinstance(error, StopIteration):  # no translation and no match to fall back on
                    raise TranslationRejected("empty translation") from None
                raise _failure_of_deep_translator(error, call) from None
            if call.responses:
                _check_mymemory_answer(call.responses[-1])
        return _checked_translation(translated)


def _check_mymemory_answer(response: requests.Response) -> None:
    _raise_for_status(response)
    body = _json(response)
    if not isinstance(body, dict):
        raise ProviderUnavailable("unexpected answer")
    try:
        status = int(body.get("responseStatus") or 200)
    except (TypeError, ValueError):
        status = 200
    details = str(body.get("responseDetails") or "")[:120]
    if body.get("quotaFinished") or status in _MYMEMORY_QUOTA_STATUSES:
        raise ProviderRefused(f"quota spent{': ' + details if details else ''}")
    if status >= 500:
        raise ProviderUnavailable(f"status {status}{': ' + details if details else ''}")
    if status >= 400:
        raise TranslationRejected(f"status {status}{': ' + details if details else ''}")


# --- DeepL (direct) --------------------------------------------------------------------------

# DeepL translates all of our languages (its 81 former beta languages are standard since
# January 2026). Targets need a variant for English and Portuguese; ZH-HANS is simplified.
_DEEPL_TARGET_VARIANTS = {"en": "EN-US", "pt": "PT-BR", "zh": "ZH-HANS"}
DEEPL_FREE_URL = "https://api-free.deepl.com/v2/translate"
DEEPL_PRO_URL = "https://api.deepl.com/v2/translate"


class DeeplTranslator:
    """DeepL's /v2/translate, called directly.

    deep-translator 1.11.4 sends a GET with the key in the query string; DeepL refuses both
    since January 2026 (POST with `Authorization: DeepL-Auth-Key ...` only). Keys ending in
    ":fx" belong to the free API and its own host. "auto" is sent as no source_lang.
    """

    name = "deepl"
    max_chars = 5_000
    max_bytes = max_chars * _UTF8_MAX_BYTES_PER_CHAR  # DeepL limits the body to 128 KiB

    def __init__(self, api_key: SecretSetting, url: str | None, timeout_seconds: float) -> None:
        self._api_key = api_key
        self._url = url
        self._timeout = timeout_seconds

    def translate(self, text: str, source: str, target: str) -> str:
        if target == AUTO:
            raise TranslationRejected("deepl needs a target language")
        if not text.strip():
            return text
        key = _api_key(self._api_key)
        body: dict[str, Any] = {"text": [text], "target_lang": _DEEPL_TARGET_VARIANTS.get(target, target.upper())}
        if source != AUTO:
            body["source_lang"] = source.upper()
        url = self._url or (DEEPL_FREE_URL if key.endswith(":fx") else DEEPL_PRO_URL)
        with _provider_call(self._timeout):
            response = http_request("POST", url, json=body, headers={"Authorization": f"DeepL-Auth-Key {key}"})
        if response.status_code in (401, 403):
            forget_secret(self._api_key)  # a rotated key is read again on the next call
        _raise_for_status(response)
        answer = _json(response)
        try:
            translated = answer["translations"][0]["text"]
        except (KeyError, IndexError, TypeError):
            raise TranslationRejected("no translation in the answer") from None
        return _checked_translation(translated)


# --- Microsoft Translator (direct) -----------------------------------------------------------

_MICROSOFT_CODES = {"zh": "zh-Hans", "tl": "fil"}
MICROSOFT_URL = "https://api.cognitive.microsofttranslator.com/translate"


class MicrosoftTranslator:
    """Azure AI Translator v3, called directly.

    deep-translator 1.11.4 fetches Microsoft's language list from the internet inside its
    constructor (no timeout, on every call), sends `from=auto` (Microsoft refuses it: no `from`
    means detect) and turns a connection error into an AttributeError.
    """

    name = "microsoft"
    max_chars = 10_000  # Microsoft takes 50,000 per request; more than any one field we send
    max_bytes = max_chars * _UTF8_MAX_BYTES_PER_CHAR

    def __init__(self, api_key: SecretSetting, region: str | None, url: str | None, timeout_seconds: float) -> None:
        self._api_key = api_key
        self._region = region
        self._url = url or MICROSOFT_URL
        self._timeout = timeout_seconds

    def translate(self, text: str, source: str, target: str) -> str:
        if target == AUTO:
            raise TranslationRejected("microsoft needs a target language")
        if not text.strip():
            return text
        key = _api_key(self._api_key)
        params = {"api-version": "3.0", "to": _MICROSOFT_CODES.get(target, target)}
        if source != AUTO:
            params["from"] = _MICROSOFT_CODES.get(source, source)
        headers = {"Ocp-Apim-Subscription-Key": key, "Content-Type": "application/json"}
        if self._region:
            headers["Ocp-Apim-Subscription-Region"] = self._region
        with _provider_call(self._timeout):
            response = http_request("POST", self._url, params=params, json=[{"Text": text}], headers=headers)
        if response.status_code == 401:
            forget_secret(self._api_key)  # a rotated key is read again on the next call
        _raise_for_status(response)
        answer = _json(response)
        try:
            translated = answer[0]["translations"][0]["text"]
        except (KeyError, IndexError, TypeError):
            raise TranslationRejected("no translation in the answer") from None
        return _checked_translation(translated)


# --- LibreTranslate (direct) -----------------------------------------------------------------


class LibreTranslator:
    """A LibreTranslate server (usually self-hosted): POST /translate with a JSON body.

    deep-translator 1.11.4 puts the text in the URL's query string: servers that read the JSON
    body never see it, and every proxy and access log in between would. Languages are not
    checked here: which ones a self-hosted server knows depends on its installed models, and
    it answers 400 for the others. The api key is optional (sent when set).
    """

    name = "libre"
    max_chars = 5_000
    max_bytes = max_chars * _UTF8_MAX_BYTES_PER_CHAR

    def __init__(self, url: str, api_key: SecretSetting | None, timeout_seconds: float) -> None:
        # LIBRETRANSLATE_URL is the server's base URL, as LibreTranslate documents it.
        self._url = url if url.rstrip("/").endswith("/translate") else url.rstrip("/") + "/translate"
        self._api_key = api_key
        self._timeout = timeout_seconds

    def translate(self, text: str, source: str, target: str) -> str:
        if target == AUTO:
            raise TranslationRejected("libre needs a target language")
        if not text.strip():
            return text
        body = {"q": text, "source": source, "target": target, "format": "text"}
        if self._api_key is not None:
            body["api_key"] = _api_key(self._api_key)
        with _provider_call(self._timeout):
            response = http_request("POST", self._url, json=body)
        if response.status_code == 403 and self._api_key is not None:
            forget_secret(self._api_key)
        _raise_for_status(response)
        answer = _json(response)
        translated = answer.get("translatedText") if isinstance(answer, dict) else None
        return _checked_translation(translated)


# --- the configured chain --------------------------------------------------------------------


def build_provider(name: str, settings: Settings) -> Translator:
    """The bare adapter for one provider name in TRANSLATORS (no retries, no breaker)."""
    timeout = settings.translate_timeout_seconds
    if name == "aws":
        return AmazonTranslator(timeout)
    if name == "google":
        return GoogleTranslator(settings.google_translate_url, timeout)
    if name == "deepl" and settings.deepl_api_key is not None:
        return DeeplTranslator(settings.deepl_api_key, settings.deepl_url, timeout)
    if name == "microsoft" and settings.microsoft_api_key is not None:
        return MicrosoftTranslator(
            settings.microsoft_api_key, settings.microsoft_region, settings.microsoft_url, timeout
        )
    if name == "libre" and settings.libretranslate_url is not None:
        return LibreTranslator(settings.libretranslate_url, settings.libretranslate_api_key, timeout)
    if name == "mymemory":
        return MyMemoryTranslator(settings.mymemory_url, settings.mymemory_email, timeout)
    raise ValueError(f"cannot build translator {name!r} from these settings")  # Settings validates first


def build_translators(settings: Settings, clock: Callable[[], float] = time.monotonic) -> list[Translator]:
    """The failover chain in the configured order, each provider with retries and a breaker.

    `none` contributes no provider. The breakers live as long as the returned chain: the
    services graph builds it once per process.
    """
    retry = RetryPolicy(
        retries=settings.translate_retries,
        base_delay_seconds=settings.translate_backoff_seconds,
        max_delay_seconds=settings.translate_backoff_max_seconds,
    )
    chain: list[Translator] = []
    for name in settings.translators:
        if name == "none":
            continue
        breaker = CircuitBreaker(name, settings.breaker_failures, settings.breaker_cooldown_seconds, clock)
        chain.append(ResilientTranslator(build_provider(name, settings), breaker, retry))
    return chain
