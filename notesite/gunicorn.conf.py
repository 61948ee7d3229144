"""gunicorn's settings, from the environment: `gunicorn -c notesite/gunicorn.conf.py notesite.wsgi`.

README.md (Production) lists the variables.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = "-"  # stdout
errorlog = "-"  # stderr
# gunicorn's control socket has one default path per user: a second server on the same host
# would take it over, and the first to stop would delete it. Nothing here uses it.
control_socket_disable = True
