"""Amazon Translate through boto3."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from chalicelib.adapters.resilient_translator import ProviderRefused
from chalicelib.adapters.translators.transport import (
    AUTO,
    checked_translation,
)
from chalicelib.domain.ports import ProviderUnavailable, TranslationRejected

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
        return checked_translation(answer.get("TranslatedText"))

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
