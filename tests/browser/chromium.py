"""Debian's headless Chromium, driven over the Chrome DevTools Protocol (CDP).

No browser is downloaded: this launches the system's `chromium` with a fake microphone
that plays a WAV file, then speaks CDP over its WebSocket with aiohttp. Only the few
commands the browser tier needs: open a page, evaluate JavaScript, click like a user,
take a screenshot, set a permission.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import shutil
import subprocess
import time
import wave
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

from callwright_devstack.required import service_missing
from callwright_devstack.speech import SAMPLE_RATE, make_speech_wav

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "/usr/bin/chromium")


def find_chromium() -> str | None:
    for name in CHROMIUM_CANDIDATES:
        if (path := shutil.which(name)) is not None:
            return path
    return None


class CDPError(RuntimeError):
    """A CDP command answered with an error, or the page threw."""


class Page:
    """One tab, attached through a flattened CDP session on the browser's WebSocket."""

    def __init__(self, browser: Chromium, session_id: str) -> None:
        self._browser = browser
        self._session_id = session_id
        self.console: list[str] = []

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        return await self._browser.send(method, session_id=self._session_id, **params)

    async def goto(self, url: str) -> None:
        await self.send("Page.navigate", url=url)
        await self.wait_for("document.readyState === 'complete'", within=60, what="page load")

    async def evaluate(self, expression: str) -> Any:
        answer = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in answer:
            raise CDPError(f"{expression!r} threw: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    async def wait_for(self, expression: str, *, within: float, what: str) -> Any:
        """Evaluate `expression` until it is truthy (at most `within` seconds); return it."""
        deadline = time.monotonic() + within
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {within:.0f} s waiting for {what}")
            await asyncio.sleep(0.2)

    async def click(self, selector: str) -> None:
        """A real mouse click at the element's centre: the browser counts it as a gesture."""
        box = await self.evaluate(
            f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
            ".getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()"
        )
        for kind in ("mousePressed", "mouseReleased"):
            await self.send(
                "Input.dispatchMouseEvent",
                type=kind,
                x=box["x"],
                y=box["y"],
                button="left",
                clickCount=1,
            )

    async def screenshot(self, path: Path, *, selector: str = "body") -> Path:
        """A PNG of the element `selector` (the whole page by default)."""
        clip = await self.evaluate(
            f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
            ".getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, "
            "height: Math.max(r.height, 1), scale: 1}; })()"
        )
        answer = await self.send(
            "Page.captureScreenshot", format="png", clip=clip, captureBeyondViewport=True
        )
        await asyncio.to_thread(_write, path, base64.b64decode(answer["data"]))
        return path

    def on_event(self, method: str, params: dict[str, Any]) -> None:
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            self.console.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            self.console.append(f"exception: {params['exceptionDetails']}")


class Chromium:
    """A headless Chromium process with a fake microphone playing `audio_file`.

    The page's microphone request is granted as if the user clicked Allow, or with
    `microphone_allowed=False` refused as if they clicked Block.
    """

    def __init__(
        self,
        executable: str,
        *,
        user_data_dir: Path,
        audio_file: Path,
        microphone_allowed: bool = True,
    ) -> None:
        self.executable = executable
        self.user_data_dir = user_data_dir
        self.audio_file = audio_file
        self.microphone_allowed = microphone_allowed
        self._process: subprocess.Popen[bytes] | None = None
        self._http: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._pages: dict[str, Page] = {}

    def arguments(self) -> list[str]:
        return [
            self.executable,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--use-fake-ui-for-media-stream"
            if self.microphone_allowed
            else "--deny-permission-prompts",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={self.audio_file}",
            "--autoplay-policy=no-user-gesture-required",
            "--window-size=900,1000",
            f"--user-data-dir={self.user_data_dir}",
            "--remote-debugging-port=0",
            "about:blank",
        ]

    def _launch(self, log_path: Path) -> Path:
        self.user_data_dir.mkdir(parents=True, exist_ok=True)
        port_file = self.user_data_dir / "DevToolsActivePort"
        port_file.unlink(missing_ok=True)
        with open(log_path, "ab") as log:
            self._process = subprocess.Popen(
                self.arguments(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        return port_file

    def _wait_for_port(self, port_file: Path, log_path: Path, within: float) -> tuple[str, str]:
        """Chromium writes its DevTools port and browser path into the profile."""
        assert self._process is not None
        deadline = time.monotonic() + within
        while not port_file.exists() or len(port_file.read_text().split()) < 2:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"chromium exited with {self._process.returncode}; see {log_path}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f"chromium did not open its DevTools port; see {log_path}")
            time.sleep(0.1)
        port, path = port_file.read_text().split()[:2]
        return port, path

    async def start(self, log_path: Path) -> None:
        port_file = await asyncio.to_thread(self._launch, log_path)
        port, path = await asyncio.to_thread(self._wait_for_port, port_file, log_path, 30.0)
        self._http = aiohttp.ClientSession()
        self._ws = await self._http.ws_connect(f"ws://127.0.0.1:{port}{path}", max_msg_size=0)
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._ws is not None
        async for message in self._ws:
            if message.type is not aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            if "id" in data:
                future = self._pending.pop(data["id"], None)
                if future is not None and not future.done():
                    future.set_result(data)
            elif (page := self._pages.get(data.get("sessionId", ""))) is not None:
                page.on_event(data["method"], data.get("params", {}))
        for future in self._pending.values():
            if not future.done():
                future.set_exception(CDPError("the browser closed its DevTools connection"))

    async def send(
        self, method: str, *, session_id: str | None = None, **params: Any
    ) -> dict[str, Any]:
        assert self._ws is not None, "chromium is not started"
        message: dict[str, Any] = {"id": next(self._ids), "method": method, "params": params}
        if session_id is not None:
            message["sessionId"] = session_id
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[message["id"]] = future
        await self._ws.send_str(json.dumps(message))
        answer = await asyncio.wait_for(future, 30)
        if "error" in answer:
            raise CDPError(f"{method}: {answer['error']}")
        result: dict[str, Any] = answer.get("result", {})
        return result

    async def new_page(self) -> Page:
        target = await self.send("Target.createTarget", url="about:blank")
        attached = await self.send(
            "Target.attachToTarget", targetId=target["targetId"], flatten=True
        )
        page = Page(self, attached["sessionId"])
        self._pages[attached["sessionId"]] = page
        await page.send("Page.enable")
        await page.send("Runtime.enable")
        return page

    async def stop(self) -> None:
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.send("Browser.close"), 5)
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._http is not None:
            await self._http.close()
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                await asyncio.to_thread(self._process.wait, 10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                await asyncio.to_thread(self._process.wait)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@asynccontextmanager
async def open_page(browser: Chromium, url: str) -> AsyncIterator[Page]:
    """A fresh tab on `url`."""
    page = await browser.new_page()
    await page.goto(url)
    try:
        yield page
    finally:
        with contextlib.suppress(CDPError, TimeoutError):
            await page.send("Page.close")


@asynccontextmanager
async def open_signed_in_page(
    browser: Chromium, url: str, *, basic_auth: str, width: int = 1200, height: int = 900
) -> AsyncIterator[Page]:
    """A tab `width` wide (the console's table needs it) sending the HTTP Basic sign-in
    `basic_auth` (user:password) with every request: the page and its fetches."""
    async with open_page(browser, "about:blank") as page:
        await page.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        await page.send("Network.enable")
        credentials = base64.b64encode(basic_auth.encode()).decode()
        await page.send(
            "Network.setExtraHTTPHeaders", headers={"Authorization": f"Basic {credentials}"}
        )
        await page.goto(url)
        yield page


@contextlib.contextmanager
def console_on_failure(page: Page, log_path: Path) -> Iterator[None]:
    """Keep the page's console in `log_path` (tests/artifacts) when a step fails."""
    try:
        yield
    except BaseException:
        log_path.write_text("\n".join(page.console))
        raise


def _silent_wav(path: Path) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(b"\0\0" * (SAMPLE_RATE // 10))
    return path


def microphone_wav(tmp: Path, words: str | None, *, before_s: float, after_s: float) -> Path:
    """What the fake microphone plays, looped from the moment the page opens it: silence
    while the agent joins and greets, the words, then silence for the answer. Without
    words, a moment of silence (Chromium needs a file even for a page that never asks)."""
    if words is None:
        return _silent_wav(tmp / "silence.wav")
    spoken = make_speech_wav(words, tmp / "words.wav")
    wav = tmp / "microphone.wav"
    subprocess.run(["sox", str(spoken), str(wav), "pad", str(before_s), str(after_s)], check=True)
    return wav


def _chromium_for(bundle: Path, build: str) -> str:
    executable = find_chromium()
    if executable is None:
        service_missing("chromium (apt-get install chromium)")
    if not bundle.is_file():
        service_missing(f"the bundle {bundle} ({build})")
    return executable


@asynccontextmanager
async def running_chromium(
    tmp: Path,
    *,
    bundle: Path,
    build: str,
    log_path: Path,
    words: str | None = None,
    before_s: float = 0,
    after_s: float = 0,
) -> AsyncIterator[Chromium]:
    """Chromium started for a page whose bundle is `bundle` (its index.html; `build` is the
    command that makes it), with `words` on its microphone (microphone_wav). A missing
    Chromium or bundle fails the tier under CI=true, before anything starts."""
    executable = _chromium_for(bundle, build)
    wav = await asyncio.to_thread(microphone_wav, tmp, words, before_s=before_s, after_s=after_s)
    browser = Chromium(executable, user_data_dir=tmp / "chromium-profile", audio_file=wav)
    await browser.start(log_path)
    try:
        yield browser
    finally:
        await browser.stop()
