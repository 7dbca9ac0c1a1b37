"""Reading a Hugo site into the database: the run (options from the site's config over the
app's, the parse cache's place, the WAL afterwards), the two passes over the content tree,
rendering in worker processes, and the one transaction that writes the result."""
