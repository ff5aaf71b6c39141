"""Compact language identification for the 29 served languages, pure standard library at runtime.

`LanguageIdentifier(model_dir).identify(text)` gives the text's evidence per language; the
model is built by `python -m chalicelib.langid.build OUT_DIR` (see README.md in this folder).
"""

from chalicelib.langid.artifact import MODEL_DIR, ModelNotBuilt
from chalicelib.langid.identifier import LanguageIdentifier, TextEvidence
from chalicelib.langid.languages import LANGUAGES, Script

__all__ = ["LANGUAGES", "MODEL_DIR", "LanguageIdentifier", "ModelNotBuilt", "Script", "TextEvidence"]
