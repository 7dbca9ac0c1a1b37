"""Pure rendering: Markdown body and page files in, HTML and text measures out."""
