"""SeqLab's command-line client for students: `seqlab --help` once installed (`pip install ./client`)."""
