"""What every blueprint shares over HTTP: security headers and the request log, edge checks,
origin checks, hashed assets, template filters, the page cache and the WSGI fast path that
answers cached pages before Flask."""
