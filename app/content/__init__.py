"""Reading Hugo content trees: pure Python, no Flask, no database."""
