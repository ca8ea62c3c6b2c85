"""Instructor reference implementations, one module per assignment."""
