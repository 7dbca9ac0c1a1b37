"""Hostile inputs for the adversarial tests: a content corpus built at test time, and tallies."""
