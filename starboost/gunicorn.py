"""Gunicorn settings for production (``gunicorn --config starboost/gunicorn.py``), from the env.

PORT and BIND_HOST give the address, WEB_CONCURRENCY the number of worker processes,
GUNICORN_TIMEOUT the seconds a request may take. Access lines go to stdout with the request id
(``X-Request-ID``, set by ``operations.middleware``).
"""

import os

wsgi_app = "starboost.wsgi:application"
bind = [f"{os.environ.get('BIND_HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Stop within honcho's 5 s before it kills: idle workers leave at once, busy ones finish first.
graceful_timeout = 4
# Load the application once in the master: workers fork ready, and a broken setting fails early.
preload_app = True
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'
# No runtime control socket (gunicornc): nothing uses it, and two servers on one host would share
# its default path.
control_socket_disable = True
# Only a proxy on this machine may say the original request was HTTPS (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def child_exit(server, worker):
    """Drop a dead worker's live gauges from the shared metrics directory (prometheus_client)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
