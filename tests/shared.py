"""Where the read-only test material lives (the Hugo oracles, the Blowfish corpus).

It is the ``shared`` folder beside the repository (``../shared``), or the folder named by
``BLOG_SHARED_DIR``. On a contributor's machine without it, the tests that read it skip with
the missing path as the reason; with ``BLOG_REQUIRE_SHARED=1`` (set by ``.ci/run``) they fail
naming it instead, as ``BLOG_REQUIRE_BROWSER=1`` does for a missing browser.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _shared_dir() -> Path:
    configured = os.environ.get("BLOG_SHARED_DIR")
    if configured:
        return Path(configured).expanduser().resolve()
    return ROOT.parent / "shared"


SHARED = _shared_dir()
SEED = SHARED / "seed"
SEED_ORACLE = SEED / "hugo-oracle.json"
CORPUS = SHARED / "corpus" / "blowfish-exampleSite"
CORPUS_CONTENT = CORPUS / "content"
CORPUS_ORACLE = CORPUS / "hugo-oracle.json"


def required() -> bool:
    """True when missing shared material is a failure (BLOG_REQUIRE_SHARED=1)."""
    return os.environ.get("BLOG_REQUIRE_SHARED") == "1"


def require(path: Path) -> Path:
    """``path`` when it exists; else skip naming it, or fail under BLOG_REQUIRE_SHARED=1."""
    if path.exists():
        return path
    reason = (f"{path} is missing (the shared test material: ../shared beside the "
              "repository, or the folder BLOG_SHARED_DIR names)")
    if required():
        pytest.fail(f"BLOG_REQUIRE_SHARED=1 but {reason}", pytrace=False)
    # Reported at the test that asked (as a skip mark is), not at this line.
    raise pytest.skip.Exception(reason, _use_item_location=True)
