"""SeqLab's command-line client for students: `python -m client --help`."""
