"""Backing up, restoring and copying the whole site: consistent snapshots, the portable dump
format, and loading one database's rows into another."""
