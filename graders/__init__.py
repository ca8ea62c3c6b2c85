"""SeqLab's grading engine: load an assignment, sandbox a submission, run checks, produce a result.

Plain Python; it never imports Django. Entry points: `python -m graders` and
`graders.engine.Engine`.
"""
