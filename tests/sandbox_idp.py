"""The sandbox identity provider (``sandbox/idp/server.js``) as a real process for the tests.

``idp_start`` runs ``node sandbox/idp/server.js`` on a free port of the loopback interface, configured
for the test (client, secret, redirect and post-logout addresses), and waits for its discovery document;
``SandboxIdp.stop`` ends it. ``IdpVisitor`` is a person's browser at the provider (an HTTP client with
its own cookies): it fills the provider's Vietnamese login and consent forms and stops at the redirect
back to our site, which the test then hands to Django's test client.

Node or the provider's node modules missing (``npm ci`` in ``sandbox/idp``; ``make test`` runs it):
the tests fail in CI (``CI=true``) and are skipped elsewhere, saying why.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

from tests.e2e.support import unavailable
from tests.processes import START_TIMEOUT_SECONDS, free_port, wait_until_ready

PROJECT_DIR = Path(__file__).resolve().parent.parent
IDP_DIR = PROJECT_DIR / "sandbox" / "idp"
CLIENT_ID = "motcua-test"
CLIENT_SECRET = "motcua-test-secret-0123456789"
DEMO_PASSWORD = "vneid-demo-2026"


@dataclass
class SandboxIdp:
    issuer: str
    process: subprocess.Popen[bytes]
    log: Path
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def idp_start(*, redirect_uris: list[str], post_logout_redirect_uris: list[str], log_dir: Path) -> SandboxIdp:
    node = shutil.which("node")
    if node is None:
        unavailable("không có Node.js (`node`) để chạy Cổng định danh thử nghiệm (sandbox/idp)")
    if not (IDP_DIR / "node_modules" / "oidc-provider").is_dir():
        unavailable(
            "chưa cài sandbox/idp/node_modules (chạy `npm ci --no-audit --no-fund` trong sandbox/idp)"
        )
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "IDP_ISSUER": issuer,
        "IDP_CLIENT_ID": CLIENT_ID,
        "IDP_CLIENT_SECRET": CLIENT_SECRET,
        "IDP_REDIRECT_URIS": ",".join(redirect_uris),
        "IDP_POST_LOGOUT_REDIRECT_URIS": ",".join(post_logout_redirect_uris),
        "IDP_DEMO_PASSWORD": DEMO_PASSWORD,
    }
    log = log_dir / f"idp-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(node), "server.js"], cwd=IDP_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    idp = SandboxIdp(issuer=issuer, process=process, log=log)

    def discovered() -> bool:
        try:
            return requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok
        except requests.RequestException:
            return False

    if wait_until_ready(process, discovered):
        return idp
    if process.poll() is not None:
        raise RuntimeError(f"sandbox IdP exited ({process.returncode}):\n{idp.output()}")
    idp.stop()
    raise RuntimeError(f"sandbox IdP did not answer within {START_TIMEOUT_SECONDS} s:\n{idp.output()}")


def form_action(html: str, suffix: str) -> str:
    """The ``action`` of the page's form ending with ``suffix`` (e.g. "/login")."""
    for action in re.findall(r'<form[^>]*\baction="([^"]+)"', html):
        if unescape(action).endswith(suffix):
            return unescape(action)
    raise AssertionError(f"no form ending with {suffix!r} in:\n{html[:2000]}")


def hidden_inputs(html: str, form_id: str) -> dict[str, str]:
    match = re.search(rf'<form[^>]*id="{re.escape(form_id)}"[^>]*>(.*?)</form>', html, re.S)
    assert match, html[:2000]
    return {
        unescape(name): unescape(value)
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', match.group(1))
    }


@dataclass
class IdpVisitor:
    """One person's browser at the provider: cookies kept between calls (the provider's session)."""

    idp: SandboxIdp
    http: requests.Session = field(default_factory=requests.Session)
    last_page: str = ""

    def _follow(self, response: requests.Response) -> str | None:
        """Follow redirects inside the provider; the first address outside it, or None on a page."""
        for _ in range(10):
            if response.status_code not in (301, 302, 303, 307, 308):
                self.last_page = response.text
                return None
            location = urljoin(response.url, response.headers["Location"])
            if not location.startswith(self.idp.issuer + "/"):
                return location
            response = self.http.get(location, allow_redirects=False, timeout=10)
        raise AssertionError("too many redirects at the provider")

    def open(self, url: str) -> str | None:
        return self._follow(self.http.get(url, allow_redirects=False, timeout=10))

    def post(self, action: str, data: dict[str, str]) -> str | None:
        url = urljoin(self.idp.issuer + "/", action)
        return self._follow(self.http.post(url, data=data, allow_redirects=False, timeout=10))

    def login(
        self, authorize_url: str, *, identifier: str, password: str = DEMO_PASSWORD, consent: bool = True
    ) -> str:
        """From our redirect to the provider to the provider's redirect back to us (its address)."""
        back = self.open(authorize_url)
        if back is None and "/login" in "".join(re.findall(r'action="([^"]+)"', self.last_page)):
            back = self.post(
                form_action(self.last_page, "/login"), {"identifier": identifier, "password": password}
            )
        if back is None and 'value="allow"' in self.last_page:
            back = self.post(
                form_action(self.last_page, "/confirm"), {"decision": "allow" if consent else "deny"}
            )
        assert back is not None, self.last_page[:3000]
        return back

    def end_session(self, end_session_url: str, *, confirm: bool = True) -> str | None:
        """Open the provider's logout page and answer it; where the provider sends the browser next."""
        back = self.open(end_session_url)
        if back is not None:
            return back
        data = hidden_inputs(self.last_page, "op.logoutForm")
        if confirm:
            data["logout"] = "yes"
        return self.post(form_action(self.last_page, "/session/end/confirm"), data)


def path_of(url: str) -> str:
    """Path and query of an absolute address (what Django's test client is given)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def demo_identities() -> dict[str, dict[str, object]]:
    data = json.loads((PROJECT_DIR / "data" / "demo" / "citizens.json").read_text())
    people = {person["personal_id"]: person for person in data["citizens"]}
    return people | {org["tax_code"]: org for org in data["organisations"]}
