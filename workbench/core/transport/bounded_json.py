"""JSON parsing for server data with a nesting limit, so no document can exhaust the stack.

``json.loads`` recurses once per ``[`` or ``{``; a hostile body such as ``"[" * 100000`` makes it
raise RecursionError, and anything deep that it does parse can still break the recursive code
that walks the value afterwards (masking, display, ``json.dumps``). :func:`loads` measures the
nesting first with a linear scan (brackets inside strings do not count) and refuses a document
deeper than :data:`MAX_DEPTH` before ``json.loads`` sees it. Real OAuth/OIDC documents (token
responses, discovery, JWKS, Cognito answers) are a handful of levels deep.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: Deepest nesting accepted in a document from a server (same limit as tokens.MAX_DEPTH).
MAX_DEPTH = 64

# A JSON string (possibly unterminated: it then runs to the end of the text), or one bracket.
# The string pattern is the "unrolled loop" form: no two alternatives can match the same
# character, so the regex engine never backtracks and the scan stays linear in the text.
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


class JsonTooDeep(ValueError):
    """A JSON document nested deeper than the limit (a ValueError, like any unusable JSON)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"JSON nested more than {limit} levels deep")
        self.limit = limit


def exceeds_depth(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether ``text`` opens more than ``limit`` nested arrays/objects, ignoring strings.

    Counting brackets is enough for well-formed JSON; for malformed text the answer only
    decides which error is reported, since ``json.loads`` would reject it anyway.
    """
    if text.count("[") + text.count("{") <= limit:
        return False  # the common case: a small document costs two C-speed counts
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        char = text[match.start()]
        if char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def loads(data: str | bytes | bytearray, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` for server data: raises :class:`JsonTooDeep` past ``max_depth`` levels.

    Other failures are ``ValueError`` as from ``json.loads`` (bad JSON, undecodable bytes, a
    number with more digits than Python converts).
    """
    if isinstance(data, bytes | bytearray):
        # Decode as json.loads itself would (UTF-8, or UTF-16/32 when the bytes say so) so the
        # scan sees characters, not bytes of a wider encoding.
        text = bytes(data).decode(json.detect_encoding(data), "surrogatepass")
    else:
        text = data
    if exceeds_depth(text, max_depth):
        raise JsonTooDeep(max_depth)
    try:
        return json.loads(text)
    except RecursionError:  # only with a tiny recursion limit; the scan above caught the rest
        raise JsonTooDeep(max_depth) from None
