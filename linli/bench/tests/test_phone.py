"""The phone benchmark's accounting of one page load (bench.phone.Visit), fed DevTools events as
Chromium sends them. (The browser run itself is `make bench-smoke`'s.)"""

from linli.bench.phone import SLOW_4G, Visit

ORIGIN = "http://127.0.0.1:8123"


class FakeSession:
    def __init__(self):
        self.handlers = {}

    def on(self, event, handler):
        self.handlers[event] = handler

    def emit(self, event, **params):
        self.handlers[event](params)


def _load(session, request_id, url, size, kind="Stylesheet", status=200, cached=False):
    session.emit("Network.requestWillBeSent", requestId=request_id, request={"url": url})
    response = {"url": url, "status": status, "fromDiskCache": cached, "fromMemoryCache": False}
    session.emit("Network.responseReceived", requestId=request_id, type=kind, response=response)
    if cached:
        session.emit("Network.requestServedFromCache", requestId=request_id)
    session.emit("Network.loadingFinished", requestId=request_id, encodedDataLength=size)


def test_a_visit_sums_the_bytes_on_the_wire_and_names_other_hosts():
    session = FakeSession()
    visit = Visit(session, ORIGIN)
    _load(session, "1", f"{ORIGIN}/cases/", 4000, kind="Document")
    _load(session, "2", f"{ORIGIN}/static/vendor/bootstrap/bootstrap.min.0123456789ab.css", 23000)
    _load(session, "3", f"{ORIGIN}/static/linli/linli.0123456789ab.js", 0, cached=True)  # told twice
    session.emit("Network.requestWillBeSent", requestId="4", request={"url": "data:image/svg+xml,<svg/>"})
    _load(session, "5", "http://127.0.0.1:9999/x.js", 100)  # another port is another origin
    _load(session, "6", "https://cdn.example.com/chart.js", 200)
    assert visit.bytes == 4000 + 23000 + 0 + 100 + 200
    assert visit.requests == 5  # the data: URL is no request on the wire
    assert len(visit.cached) == 1
    assert visit.external == ["http://127.0.0.1:9999/x.js", "https://cdn.example.com/chart.js"]
    assert visit.statuses == {f"{ORIGIN}/cases/": 200}


def test_slow_4g_is_devtools_preset():
    # 1.6 Mbit/s and 750 kbit/s × 0.9, in bytes a second; 150 ms × 3.75
    assert (SLOW_4G["downloadThroughput"], SLOW_4G["uploadThroughput"], SLOW_4G["latency"]) == (180_000, 84_375, 562.5)
