"""Settings for bench/bench_portal.py only: the platform's settings with the captcha in test mode
(the answer "PASSED" is accepted, the field still validates and spends its challenge) and rate limits
too high to reach. The benchmark measures throughput of the public tip form, not its guards; both
stay in the request path. Never use this module for a deployment."""

from qingyuan.settings import *  # noqa: F403
from qingyuan.settings import LOGGING

CAPTCHA_TEST_MODE = True
QINGYUAN_PORTAL_RATES = {scope: (1_000_000, 3600) for scope in ("tip", "locate", "track")}
# One log line per request would be the server's main output; problems (4xx, 5xx) are still logged.
LOGGING["loggers"]["django.server"] = {"level": "WARNING"}
