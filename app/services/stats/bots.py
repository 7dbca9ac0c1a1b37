"""Clients that announce themselves as bots: the one list, and the test on a User-Agent."""

from __future__ import annotations

# Lower-case words whose presence in a User-Agent marks an automated client.
BOT_MARKERS: tuple[str, ...] = (
    "bot", "crawler", "spider", "slurp", "crawl", "curl", "wget", "python-requests",
    "python-urllib", "python-httpx", "aiohttp", "httpclient", "okhttp", "go-http-client",
    "java/", "libwww", "headless", "phantomjs", "lighthouse", "pingdom",
    "facebookexternalhit", "embedly", "scrapy", "feedfetcher", "validator",
)


def is_bot(user_agent: str | None) -> bool:
    """True for a User-Agent that names a bot, a crawler or a tool, and for none at all."""
    agent = (user_agent or "").strip().lower()
    return not agent or any(marker in agent for marker in BOT_MARKERS)
