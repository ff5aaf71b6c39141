"""Detector on seeded langdetect, restricted to the languages the desk serves.

langdetect is the design card's baseline; it is random unless seeded, knows no Malay and is
weak on very short text, so the requester's locale is used as evidence when the text is thin.
"""

from __future__ import annotations

import re
import threading

from chalicelib.domain.catalog import served_languages
from chalicelib.domain.routing import UNDETERMINED
from chalicelib.domain.text_cleaning import LETTER, clean
from chalicelib.domain.ticket import Language, Requester

# Countries where Malay, not Indonesian, is the language of the same-looking text.
_MALAY_COUNTRIES = frozenset({"MY", "BN", "SG"})
# Below this, the text alone is not trusted and a served locale language may win.
_TRUST_TEXT = 0.80

_KANA = re.compile(r"[\u3040-\u30ff]")
# Scripts that belong to exactly one served language decide on their own; langdetect calls
# some Chinese Korean, so the script is checked first.
_SCRIPT_LANGUAGE = (
    (re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]"), "ko"),
    (_KANA, "ja"),
    (re.compile(r"[\u0e00-\u0e7f]"), "th"),
    (re.compile(r"[\u0590-\u05ff]"), "he"),
    (re.compile(r"[\u0370-\u03ff]"), "el"),
    (re.compile(r"[\u0980-\u09ff]"), "bn"),
    (re.compile(r"[\u0900-\u097f]"), "hi"),
)
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")

_lock = threading.Lock()
_factory_ready = False


def _load_profiles() -> None:
    global _factory_ready
    with _lock:
        if not _factory_ready:
            from langdetect import DetectorFactory
            from langdetect.detector_factory import init_factory

            init_factory()
            DetectorFactory.seed = 0  # langdetect is random unless seeded
            _factory_ready = True


class LangdetectDetector:
    def __init__(self) -> None:
        self._served = served_languages()

    def warm_up(self) -> None:
        _load_profiles()

    def detect(self, text: str, requester: Requester) -> Language:
        locale_language = requester.locale_language
        hinted = locale_language if locale_language in self._served else None
        cleaned = clean(text)
        if len(LETTER.findall(cleaned)) < 2:
            if hinted:
                return Language(hinted, 0.6, "locale")
            return Language(UNDETERMINED, 0.0, "none")
        by_script = self._by_script(cleaned, hinted)
        if by_script is not None:
            return by_script
        candidates = self._candidates(cleaned)
        if not candidates:
            return Language(hinted, 0.6, "locale") if hinted else Language(UNDETERMINED, 0.0, "none")
        code, probability = candidates[0]
        code = self._split_malay(code, requester)
        if probability >= _TRUST_TEXT or not hinted:
            return Language(code, round(probability, 4), "text")
        # Thin evidence from the text: a locale that the text also finds plausible wins.
        for candidate, candidate_probability in candidates:
            if self._split_malay(candidate, requester) == hinted and candidate_probability >= 0.1:
                return Language(hinted, round(max(probability, candidate_probability), 4), "text+locale")
        return Language(code, round(probability, 4), "text")

    @staticmethod
    def _by_script(cleaned: str, hinted: str | None) -> Language | None:
        letters = LETTER.findall(cleaned)
        for pattern, code in _SCRIPT_LANGUAGE:
            share = sum(1 for letter in letters if pattern.match(letter)) / len(letters)
            if share >= 0.3:
                return Language(code, round(min(0.99, 0.7 + share * 0.3), 4), "script")
        han = sum(1 for letter in letters if _HAN.match(letter)) / len(letters)
        if han >= 0.5 and any(_KANA.match(letter) for letter in letters):
            return Language("ja", 0.9, "script")  # kana never appear in Chinese
        if han >= 0.5:
            # Han without kana or hangul: Chinese, unless the requester's locale says Japanese.
            if hinted == "ja":
                return Language("ja", 0.8, "script+locale")
            return Language("zh", round(0.7 + han * 0.25, 4), "script")
        return None

    def _candidates(self, cleaned: str) -> list[tuple[str, float]]:
        _load_profiles()
        from langdetect import detector_factory
        from langdetect.lang_detect_exception import LangDetectException

        try:
            detector = detector_factory._factory.create()
            detector.append(cleaned)
            ranked = detector.get_probabilities()
        except LangDetectException:
            return []
        merged: dict[str, float] = {}
        for item in ranked:
            code = "zh" if item.lang.startswith("zh") else item.lang
            if code in self._served:
                merged[code] = merged.get(code, 0.0) + float(item.prob)
        return sorted(merged.items(), key=lambda pair: pair[1], reverse=True)

    @staticmethod
    def _split_malay(code: str, requester: Requester) -> str:
        if code == "id" and (
            requester.country in _MALAY_COUNTRIES
            or requester.locale_language == "ms"
            or (requester.country is None and requester.locale_region in _MALAY_COUNTRIES)
        ):
            return "ms"
        return code
