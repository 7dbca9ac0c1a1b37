"""Comments as a domain: threads and their rules, signed tokens, trust and moderation,
notifications, export, the Disqus import, and the queries the admin and the comment feeds
list from."""
