"""Services: the only code that talks to the database besides the models."""
