"""Cocon: co-construct public services with their users and their agents."""

__version__ = "0.1.0"
