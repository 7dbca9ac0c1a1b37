"""Views and likes, counted on this server (Blowfish's `showViews` and `showLikes`).

- `bots.py`: the one list of User-Agent words that mark a client that announces itself as a
  bot; such requests are never counted.
- `daily.py`: whether a reader is seen for the first time today: a salted hash of (network,
  User-Agent, page) under a random salt of the day, in the database or in Redis, both gone
  when the day turns. No address and no cookie is ever stored.
- `counters.py`: counting a view, toggling a like, reading the counts, and the top lists.
"""
