"""Links and redirects built from request data: a path on this site, or nothing.

One rule for every place that echoes a URL a request carried (a form's `url`, a `next`):
it must be a plain path of this site. Anything a browser could read as another scheme or
another host (`javascript:`, `data:`, `//host`, `/\\host`, `https://other`, with
whitespace, control characters or percent-encoding in front) is refused, and the caller
then links to a page it resolved itself, or to `/`.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

HOME = "/"
MAX_LENGTH = 2048
# A browser drops or reads as a separator: ASCII controls, space, DEL, and the backslash.
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")


def local_path(value: object) -> str | None:
    """value when it is a path (with an optional query) on this site; None for anything else.

    Checked as typed and once percent-decoded, so `/%2F/host` and `/%5Chost` are refused
    even though only a later decoding step would make them point elsewhere.
    """
    if not isinstance(value, str) or not value or len(value) > MAX_LENGTH:
        return None
    for form in (value, unquote(value)):
        if (not form.startswith("/") or form.startswith("//") or _UNSAFE.search(form)
                or not form.isprintable()):
            return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or parts.fragment:
        return None
    return value
