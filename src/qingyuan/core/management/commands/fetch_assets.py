"""Install the pinned browser assets (assets.lock.json) from the npm registry into var/vendor.

Government networks are often closed, so pages never load from a CDN: this runs once at install
time (or on a machine with registry access, then var/vendor is shipped), and the platform serves
the files itself. Each tarball is checked against its integrity hash before anything is written.
"""

import base64
import hashlib
import io
import json
import os
import tarfile
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

LOCK_FILE = settings.BASE_DIR / "assets.lock.json"
REGISTRY = os.environ.get("NPM_REGISTRY", "https://registry.npmjs.org").rstrip("/")


class Command(BaseCommand):
    help = "下载并校验前端依赖（Bootstrap、htmx 等）到 var/vendor"

    def handle(self, *args, **options):
        packages = json.loads(LOCK_FILE.read_text())["packages"]
        vendor = settings.VENDOR_DIR
        for package in packages:
            stamp = vendor / f".{package['name']}-{package['version']}"
            if stamp.exists() and all((vendor / dest).exists() for dest in package["files"].values()):
                continue
            url = package["tarball"].replace("https://registry.npmjs.org", REGISTRY)
            with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (pinned https registry)
                blob = response.read()
            algo, _, expected = package["integrity"].partition("-")
            actual = base64.b64encode(hashlib.new(algo, blob).digest()).decode()
            if actual != expected:
                raise CommandError(f"{package['name']} {package['version']} 完整性校验失败：{url}")
            with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
                for member, dest in package["files"].items():
                    target = vendor / dest
                    target.parent.mkdir(parents=True, exist_ok=True)
                    extracted = tar.extractfile(member)
                    if extracted is None:
                        raise CommandError(f"{package['name']} 中没有 {member}")
                    target.write_bytes(extracted.read())
            stamp.touch()
            self.stdout.write(f"已安装 {package['name']} {package['version']}")
