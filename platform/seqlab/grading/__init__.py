"""The one place the site touches the grading engine."""
