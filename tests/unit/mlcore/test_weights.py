"""Publisher weights fetched on first use: checked, atomic, locked, reported; offline errors.

A local HTTP server stands in for the publisher and for a mirror.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import torch

from mlcore import cli
from mlcore.contract.results import ProgressEvent
from mlcore.contract.weights import PublisherWeights, WeightsSource, hash_prefix
from mlcore.models import weights as weights_module
from mlcore.models.registry import create_model
from mlcore.models.weights import (
    DownloadProgress,
    WeightsRejected,
    WeightsUnavailable,
    fetch_weights,
)

WAIT_S = 30  # for events the test waits on; never reached when the code works


def checkpoint_bytes() -> bytes:
    """A tiny state dict as torch.save writes it."""
    buffer = io.BytesIO()
    torch.save({"weight": torch.arange(4096, dtype=torch.float32)}, buffer)
    return buffer.getvalue()


CHECKPOINT = checkpoint_bytes()
SHA256 = hashlib.sha256(CHECKPOINT).hexdigest()
HASHED = f"tiny_publisher-{SHA256[:8]}.pth"  # named the torchvision way


@dataclass
class Server:
    """What the local server serves and what it saw."""

    url: str
    files: dict[str, bytes] = field(default_factory=dict)
    gets: Counter[str] = field(default_factory=Counter)
    drop_half: set[str] = field(default_factory=set)  # sent with their length, cut at half
    requested: threading.Event = field(default_factory=threading.Event)
    gate: threading.Event = field(default_factory=threading.Event)  # held: answers wait

    def weights(self, file: str, sha256_prefix: str | None) -> PublisherWeights:
        """`file` as its publisher (this server, under /publisher/) serves it."""
        return PublisherWeights("tiny", file, f"{self.url}/publisher/{file}", sha256_prefix)


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server(url="")
    state.gate.set()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.gets[self.path] += 1
            state.requested.set()
            state.gate.wait(WAIT_S)
            body = state.files.get(self.path.rsplit("/", 1)[-1])
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            cut = len(body) // 2 if self.path.rsplit("/", 1)[-1] in state.drop_half else None
            self.wfile.write(body[:cut])
            self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_port}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    state.gate.set()
    httpd.shutdown()
    httpd.server_close()


def leftovers(folder: Path) -> list[str]:
    """Temporary download files left in the cache folder."""
    return sorted(p.name for p in folder.glob("*.part"))


def test_the_hash_is_read_from_the_name_as_torch_hub_does() -> None:
    assert hash_prefix("efficientnet_b0_rwightman-7f5810bc.pth") == "7f5810bc"
    assert hash_prefix("yolo11n-cls.pt") is None and hash_prefix("yolo11n.pt") is None


def test_a_mirror_fetch_lands_checked_and_loads(server: Server, tmp_path: Path) -> None:
    server.files[HASHED] = CHECKPOINT
    events: list[ProgressEvent] = []
    source = WeightsSource(tmp_path / "cache", mirror=server.url + "/mirror/")

    path = fetch_weights(server.weights(HASHED, SHA256[:8]), source, events.append)

    assert path == tmp_path / "cache" / HASHED
    assert torch.equal(torch.load(path, weights_only=True)["weight"], torch.arange(4096.0))
    assert server.gets == Counter({f"/mirror/{HASHED}": 1})  # the mirror, not the publisher
    assert leftovers(path.parent) == []
    assert events[-1].message == f"downloading {HASHED}: 100 %"
    assert events[-1].metrics == {
        "download_bytes": len(CHECKPOINT),
        "download_total": len(CHECKPOINT),
    }
    assert all(event.type == "log" for event in events)
    # cached now: no second download
    assert fetch_weights(server.weights(HASHED, SHA256[:8]), source) == path
    assert sum(server.gets.values()) == 1


def test_without_a_mirror_the_publisher_serves_the_file(server: Server, tmp_path: Path) -> None:
    server.files[HASHED] = CHECKPOINT
    fetch_weights(server.weights(HASHED, SHA256[:8]), WeightsSource(tmp_path))
    assert server.gets == Counter({f"/publisher/{HASHED}": 1})


def test_a_file_whose_hash_differs_is_rejected(server: Server, tmp_path: Path) -> None:
    wrong = "tiny_publisher-0badc0de.pth"
    server.files[wrong] = CHECKPOINT

    with pytest.raises(WeightsRejected) as caught:
        fetch_weights(server.weights(wrong, "0badc0de"), WeightsSource(tmp_path))

    message = str(caught.value)
    assert wrong in message and SHA256 in message and "does not start with 0badc0de" in message
    assert not (tmp_path / wrong).exists() and leftovers(tmp_path) == []


def test_a_dropped_connection_leaves_nothing(server: Server, tmp_path: Path) -> None:
    server.files[HASHED] = CHECKPOINT
    server.drop_half.add(HASHED)

    with pytest.raises(WeightsUnavailable) as caught:
        fetch_weights(server.weights(HASHED, SHA256[:8]), WeightsSource(tmp_path))

    half = len(CHECKPOINT) // 2
    message = str(caught.value)
    assert f"closed after {half} of {len(CHECKPOINT)} bytes" in message
    assert HASHED in message and "nothing was kept" in message
    assert f"weights pull tiny --weights-dir {tmp_path.resolve()}" in message
    assert not (tmp_path / HASHED).exists() and leftovers(tmp_path) == []


def test_a_missing_file_is_a_clear_error(server: Server, tmp_path: Path) -> None:
    with pytest.raises(WeightsUnavailable, match=r"HTTP Error 404"):
        fetch_weights(server.weights(HASHED, SHA256[:8]), WeightsSource(tmp_path))
    assert leftovers(tmp_path) == []


def test_unhashed_files_must_be_whole_torch_checkpoints(server: Server, tmp_path: Path) -> None:
    server.files["good.pt"] = CHECKPOINT
    server.files["truncated.pt"] = CHECKPOINT[: len(CHECKPOINT) // 2]  # sent whole, cut before
    server.files["page.pt"] = b"<html>rate limited</html>"

    assert fetch_weights(server.weights("good.pt", None), WeightsSource(tmp_path)).is_file()
    for bad in ("truncated.pt", "page.pt"):
        with pytest.raises(WeightsRejected, match="not a complete torch checkpoint"):
            fetch_weights(server.weights(bad, None), WeightsSource(tmp_path))
        assert not (tmp_path / bad).exists()
    assert leftovers(tmp_path) == []


def test_two_concurrent_fetches_download_once(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second fetch waits on the first one's lock, then uses its file."""
    server.files[HASHED] = CHECKPOINT
    server.gate.clear()  # the first download stays open until the second is waiting
    lock_calls = threading.Semaphore(0)
    real_flock = weights_module.flock

    def counted_flock(fd: Any, operation: int) -> None:
        if operation == weights_module.LOCK_EX:
            lock_calls.release()
        real_flock(fd, operation)

    monkeypatch.setattr(weights_module, "flock", counted_flock)
    weights, source = server.weights(HASHED, SHA256[:8]), WeightsSource(tmp_path)
    results: dict[str, Path | BaseException] = {}

    def fetch(name: str) -> None:
        try:
            results[name] = fetch_weights(weights, source)
        except BaseException as exc:
            results[name] = exc

    first = threading.Thread(target=fetch, args=("first",))
    first.start()
    assert server.requested.wait(WAIT_S)  # the first holds the lock and is downloading
    second = threading.Thread(target=fetch, args=("second",))
    second.start()
    assert lock_calls.acquire(timeout=WAIT_S) and lock_calls.acquire(timeout=WAIT_S)
    server.gate.set()
    first.join(WAIT_S)
    second.join(WAIT_S)

    assert results == {"first": tmp_path / HASHED, "second": tmp_path / HASHED}
    assert sum(server.gets.values()) == 1
    assert torch.load(tmp_path / HASHED, weights_only=True)["weight"].numel() == 4096


def test_offline_a_missing_file_names_file_folder_and_command(
    server: Server, tmp_path: Path
) -> None:
    server.files[HASHED] = CHECKPOINT
    source = WeightsSource(tmp_path, mirror=server.url, offline=True)

    with pytest.raises(WeightsUnavailable) as caught:
        fetch_weights(server.weights(HASHED, SHA256[:8]), source)

    message = str(caught.value)
    assert HASHED in message and str(tmp_path.resolve()) in message
    assert f"python -m mlcore weights pull tiny --weights-dir {tmp_path.resolve()}" in message
    assert sum(server.gets.values()) == 0  # offline never fetches, mirror or not
    (tmp_path / HASHED).write_bytes(CHECKPOINT)
    assert fetch_weights(server.weights(HASHED, SHA256[:8]), source) == tmp_path / HASHED


def test_progress_every_five_percent_at_most_once_a_second() -> None:
    events: list[ProgressEvent] = []
    now = [0.0]
    progress = DownloadProgress("f.pth", 1000, events.append, clock=lambda: now[0])
    for done in range(0, 1001, 10):  # a slow download: 2 s between chunks
        now[0] += 2.0
        progress.update(done)
    assert [e.metrics["download_bytes"] for e in events] == list(range(0, 1001, 50))
    assert events[9].message == "downloading f.pth: 45 %"

    events.clear()
    progress = DownloadProgress("f.pth", 1000, events.append, clock=lambda: now[0])
    for done in range(0, 1001, 10):  # a fast one: 10 ms between chunks
        now[0] += 0.01
        progress.update(done)
    assert [e.metrics["download_bytes"] for e in events] == [0, 1000]  # start and end


def test_create_model_fetches_through_the_cache(server: Server, tmp_path: Path) -> None:
    """A pretrained torchvision model is fetched, and checked against its name's hash."""
    file = "efficientnet_b0_rwightman-7f5810bc.pth"
    server.files[file] = CHECKPOINT  # not torchvision's file
    source = WeightsSource(tmp_path, mirror=server.url)

    with pytest.raises(WeightsRejected, match="does not start with 7f5810bc"):
        create_model("efficientnet_b0", 3, pretrained=True, weights=source)
    assert server.gets == Counter({f"/{file}": 1}) and not (tmp_path / file).exists()


def test_yolo_start_weights_are_fetched_for_ultralytics(server: Server, tmp_path: Path) -> None:
    """Ultralytics gets a local path; the download is reported into the job."""
    from mlcore.engines.base import EngineRequest
    from mlcore.yolo.engine import yolo_architecture
    from mlcore.yolo.training import start_weights
    from tests.support.yolo import tiny_config

    server.files["yolo11n.pt"] = CHECKPOINT
    config = tiny_config("yolo11n", pretrained=True)
    events: list[ProgressEvent] = []
    source = WeightsSource(tmp_path / "cache", mirror=server.url)
    request = EngineRequest(config, tmp_path, tmp_path, events.append, weights=source)

    assert start_weights(request, yolo_architecture("yolo11n")) == tmp_path / "cache/yolo11n.pt"
    assert events[-1].message == "downloading yolo11n.pt: 100 %"


def test_weights_pull_fills_a_cache_with_a_progress_bar(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.files["yolo11n-cls.pt"] = CHECKPOINT
    argv = ["weights", "pull", "yolo11n-cls", "--weights-dir", str(tmp_path)]

    assert cli.main([*argv, "--weights-mirror", server.url]) == 0
    out, err = capsys.readouterr()
    assert (tmp_path / "yolo11n-cls.pt").read_bytes() == CHECKPOINT
    assert f"yolo11n-cls: {tmp_path / 'yolo11n-cls.pt'}" in out
    assert f"[{'#' * cli.BAR_WIDTH}] downloading yolo11n-cls.pt: 100 %" in err

    assert cli.main(["weights", "pull", "yolo11n", "--weights-dir", str(tmp_path), "--offline"])
    assert "weights pull yolo11n --weights-dir" in capsys.readouterr().err
