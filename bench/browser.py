"""A browser for the bench scripts (bench/cluster.py, bench/compose.py): cookies, CSRF tokens read from the pages,
no automatic redirects, so each hop is one request through the load balancer."""

import http.cookiejar
import io
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid

from PIL import Image

PASSWORD = "PlazaBanten2026"  # noqa: S105 - the demo accounts' published password


class Browser:
    """Cookies, CSRF tokens from the pages, no automatic redirects: each hop is one request through nginx."""

    def __init__(self, base: str, agent: str = "plazabanten-bench"):
        self.base, self.agent = base, agent  # the User-Agent finds this browser's requests in access logs
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())
        self.upstreams: list[str] = []

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None):
        request = urllib.request.Request(self.base + path, data=data,  # noqa: S310 - always our own origin
                                         headers={"Referer": self.base + "/", "User-Agent": self.agent,
                                                  **(headers or {})})
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        body = response.read()
        self.upstreams.append(response.headers.get("X-Upstream", ""))
        return response.status, response.headers, body.decode("utf-8", "replace") if b"<" in body[:200] else body

    def get(self, path: str):
        return self.request(path)

    def post(self, path: str, fields: dict, files: dict | None = None):
        if files:
            boundary = uuid.uuid4().hex
            parts = []
            for name, value in fields.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                             f'{value}\r\n'.encode())
            for name, (filename, content, kind) in files.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"'
                             f'\r\nContent-Type: {kind}\r\n\r\n'.encode() + content + b"\r\n")
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            return self.request(path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        return self.request(path, urllib.parse.urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def csrf(self, page: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def login(self, email: str, password: str = PASSWORD) -> int:
        _, _, page = self.get("/akun/login/")
        status, _, _ = self.post("/akun/login/", {"csrfmiddlewaretoken": self.csrf(page), "login": email,
                                                  "password": password})
        return status


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def jpeg(size=(1200, 900)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 90, 40)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()
