"""gunicorn settings for Qingyuan (`gunicorn -c deploy/gunicorn.conf.py qingyuan.wsgi:application`).

Every value can be changed from the environment file the systemd unit reads, so the file itself
stays as shipped. Web requests are short: imports, large exports and province-level report files
run as jobs on the task workers, so a request that needs more than GUNICORN_TIMEOUT seconds is a
fault and the worker is recycled.
"""

import multiprocessing
import os
from pathlib import Path

# The code lives in src/ beside this folder (the package is not installed into the virtualenv).
pythonpath = str(Path(__file__).resolve().parent.parent / "src")
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# Two processes at least, so one slow request never stops the site; (2 x cores) + 1 is the usual
# ceiling for a CPU-bound Django app.
workers = int(os.environ.get("GUNICORN_WORKERS", str(max(2, multiprocessing.cpu_count() * 2 + 1))))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle a worker now and then so a slow leak in any library cannot grow without end.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Load the application in each worker after fork: database connections are never shared.
preload_app = False
# Behind nginx on the same machine; X-Forwarded-* are read by Django from trusted proxies only
# (QINGYUAN_TRUSTED_PROXIES), not by gunicorn.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips
# Access log without the query string (%(U)s is the path alone): list filters and searches can hold
# names and phone numbers, and none of that may reach a log file.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%({x-forwarded-for}i)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}i)s'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "qingyuan-web"
# systemd signals manage the server (reload = HUP); no control socket in the service user's home.
control_socket_disable = True
