"""gunicorn settings for the site (`gunicorn -c python:seqlab.config.gunicorn ...`).

Threads, not only processes: a request spends most of its time waiting on PostgreSQL, and a
thread costs far less memory than a process with Django loaded. Measured with bench/web_load.py
(docs/operations.md): on 2 cores, 2 processes x 4 threads hold a higher open-loop rate at a lower
p95 than 3 sync processes. WEB_CONCURRENCY / WEB_THREADS change them; the command line wins.
"""
import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
# Requests never take long (grading is elsewhere): a stuck one is killed rather than queued behind.
timeout = 30
graceful_timeout = 20
keepalive = 5
# A worker is replaced now and then, so a slow leak never grows without bound.
max_requests = 5000
max_requests_jitter = 500
# The control socket's default path is per user, not per instance: two sites (or a bench's own
# stack beside the real one) would take each other's. Nothing here uses it.
control_socket_disable = True
