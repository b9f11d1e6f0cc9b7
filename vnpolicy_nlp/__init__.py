"""vnpolicy-nlp: read Vietnamese government directives, tag their entities and topics.

    >>> import vnpolicy_nlp as vp
    >>> nlp = vp.load()
    >>> [d.headline for d in nlp.tag_bulletin(page_text)]
"""
from __future__ import annotations

from . import batch
from .bulletin import BulletinInfo
from .modelset import ModelSetError
from .context import Context
from .pipeline import Pipeline, load
from .record import Directive
from .tables import to_frame
from .text import NormalizedText, normalize
from .words import tokenize

__version__ = "0.1.0"
__all__ = ["load", "batch", "to_frame", "Pipeline", "Directive", "BulletinInfo", "Context", "normalize", "NormalizedText",
           "tokenize", "ModelSetError", "__version__"]
