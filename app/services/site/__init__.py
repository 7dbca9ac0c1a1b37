"""The published site as the database holds it: page and term queries, the site's settings,
its menus, search, bundle files, rendering through the cache, and the generation counter
that tells every worker the site changed."""
