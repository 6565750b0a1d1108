"""A durable on-disk spool: what the collector acknowledges is already on disk.

Requests add one record each (all of their events) to the active segment file; a group
commit (`GroupCommit`) writes and fsyncs, at once, every record that arrived while the previous
fsync ran, so throughput holds while each 2xx still means "synced". A flusher (`collector.flusher`) reads
only synced records, writes them to ClickHouse in batches and then trims the spool.

Layout of `<data dir>/spool/`: segments `00000000000000000001.seg`, … each a run of records
`[u32 length][u32 crc32][payload]`, and `checkpoint.json` saying how far the store has the data.
A record's payload is its rows as JSON objects, one per line (JSON Lines, which ClickHouse reads
as JSONEachRow, so the flusher can hand a run of records to the store without parsing them in
Python); a payload that starts with `[` is a JSON array of rows, as earlier builds wrote, and is read
as well. A new process never appends to an old segment, so a torn tail from a crash is
only ever at the end of a segment that is read, not written.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import struct
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

log = logging.getLogger("footfall.collector")

HEADER = struct.Struct("<II")
SEGMENT_SUFFIX = ".seg"
CHECKPOINT = "checkpoint.json"
READ_BUFFER = 1 << 20


class SpoolFull(Exception):
    """The spool holds as much unflushed data as it may; the client should retry later."""


@dataclass(frozen=True, order=True)
class Position:
    """A place in the spool: a segment number and a byte offset inside it."""

    segment: int
    offset: int


@dataclass(frozen=True)
class Checkpoint:
    """`done`: everything before it is in the store. `inflight`: a batch that was being written,
    replayed with the same dedup token so a crash mid-insert cannot duplicate it."""

    done: Position
    inflight: Position | None = None


def _segment_path(directory: Path, number: int) -> Path:
    return directory / f"{number:020d}{SEGMENT_SUFFIX}"


def _segment_numbers(directory: Path) -> list[int]:
    return sorted(int(p.stem) for p in directory.glob(f"*{SEGMENT_SUFFIX}") if p.stem.isdigit())


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Spool:
    def __init__(self, directory: Path, max_bytes: int, segment_bytes: int = 8 << 20) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.segment_bytes = segment_bytes
        directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # the active segment: fd, offsets, synced position
        self._changed = threading.Condition(self._lock)
        # Only for `_pending_bytes`: the event loop reserves room for every request, and must not
        # wait behind the committer while it holds `_lock` for a write.
        self._accounting = threading.Lock()
        self._checkpoint = self._read_checkpoint()
        existing = _segment_numbers(directory)
        self._pending_bytes = sum(
            _segment_path(directory, n).stat().st_size for n in existing if n >= self._checkpoint.done.segment
        ) - (self._checkpoint.done.offset if self._checkpoint.done.segment in existing else 0)
        self._segment = max([*existing, self._checkpoint.done.segment]) + 1
        self._fd = self._open_segment(self._segment)
        self._written = 0
        self._synced = Position(self._segment, 0)
        self._read_dry_at: Position | None = None  # `_synced` as of the last read that found nothing

    # -- writing ---------------------------------------------------------------------------

    def _open_segment(self, number: int) -> int:
        fd = os.open(_segment_path(self.directory, number), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        _fsync_dir(self.directory)
        return fd

    def append(self, rows: list[dict[str, Any]]) -> Position:
        """Write one record (buffered, not yet durable); return the position to sync up to."""
        record = self.encode(rows)
        self.reserve(len(record))
        return self.write([record])

    @staticmethod
    def encode(rows: list[dict[str, Any]]) -> bytes:
        """The record holding `rows`, as `write` puts it in a segment."""
        # orjson never writes a raw newline (it escapes them in strings), so lines are rows.
        if len(rows) == 1:
            payload = orjson.dumps(rows[0])
        else:
            payload = b"\n".join(map(orjson.dumps, rows)) if rows else b"[]"
        return HEADER.pack(len(payload), zlib.crc32(payload)) + payload

    def reserve(self, size: int) -> None:
        """Count `size` bytes about to be written as pending; SpoolFull past the cap."""
        with self._accounting:
            if self._pending_bytes + size > self.max_bytes:
                raise SpoolFull(f"spool holds {self._pending_bytes} bytes (cap {self.max_bytes})")
            self._pending_bytes += size

    def write(self, records: list[bytes]) -> Position:
        """Write reserved records (buffered, not yet durable); return the position to sync up to.

        On an error none of them counts as written: their reservation is released, and a
        record cut short is left at the end of a segment that is never appended to again."""
        data = b"".join(records)
        with self._lock:
            done = 0
            try:
                while done < len(data):  # a regular file may take less than asked for
                    done += os.write(self._fd, memoryview(data)[done:])
            except OSError:
                with self._accounting:
                    self._pending_bytes -= len(data)
                if done:
                    self._written += done
                    self._rotate_after_torn_write()
                raise
            self._written += len(data)
            end = Position(self._segment, self._written)
            if self._written >= self.segment_bytes:
                self._rotate()
            return end

    def _rotate_after_torn_write(self) -> None:
        try:
            self._rotate()
        except OSError:
            pass  # the next write fails too, and tries again

    def _rotate(self) -> None:
        """Close the full segment durably and start the next one (lock held)."""
        os.fsync(self._fd)
        os.close(self._fd)
        self._synced = Position(self._segment, self._written)
        self._segment += 1
        self._fd = self._open_segment(self._segment)
        self._written = 0
        self._changed.notify_all()

    def sync(self) -> Position:
        """Make everything appended so far durable; return the synced position."""
        with self._lock:
            fd, upto = self._fd, Position(self._segment, self._written)
        # fsync outside the lock so appends continue meanwhile; they join the next group.
        os.fdatasync(fd) if hasattr(os, "fdatasync") else os.fsync(fd)
        with self._lock:
            if upto > self._synced:
                self._synced = upto
                self._changed.notify_all()
            return self._synced

    @property
    def pending_bytes(self) -> int:
        return self._pending_bytes

    def wait_for_data(self, after: Position, timeout: float) -> None:
        """Block the flusher until something past `after` is synced, or `timeout` passes.

        The synced position can be past `after` with nothing to read in between: it is the start
        of a fresh segment after a restart or a rotation. So this also waits while nothing was
        synced since a read last came back empty; without that the flusher of an idle collector
        would re-read the spool in a loop, holding the GIL a third of the time."""
        with self._changed:
            if self._synced <= after or self._synced == self._read_dry_at:
                self._changed.wait(timeout)

    def wake(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def close(self) -> None:
        with self._lock:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = -1

    # -- reading (the flusher's side) --------------------------------------------------------

    @property
    def checkpoint(self) -> Checkpoint:
        return self._checkpoint

    def read(
        self, start: Position, max_rows: int, end: Position | None = None
    ) -> tuple[list[dict[str, Any]], Position, int]:
        """Read synced records from `start` until `max_rows` rows (or exactly up to `end`).

        Returns the rows, the position after the last record read and the bytes it spans.
        """
        payloads, position, consumed, _ = self.read_payloads(start, max_rows, end)
        rows: list[dict[str, Any]] = []
        for payload in payloads:
            rows.extend(decode(payload))
        return rows, position, consumed

    def read_payloads(
        self, start: Position, max_rows: int, end: Position | None = None
    ) -> tuple[list[bytes], Position, int, int]:
        """`read`, with the records' payloads left as they are (see `decode`); also returns the
        number of rows they hold."""
        payloads: list[bytes] = []
        position, consumed, count = (start.segment, start.offset), 0, 0
        with self._lock:
            synced = self._synced
        for payload, segment, offset in self._records(start, end, synced):
            payloads.append(payload)
            count += row_count(payload)
            position = (segment, offset)
            consumed += HEADER.size + len(payload)
            if end is None and count >= max_rows:
                break
        if not payloads and end is None:
            with self._lock:
                self._read_dry_at = synced
        return payloads, Position(*position), consumed, count

    def _records(
        self, start: Position, end: Position | None, synced: Position | None = None
    ) -> Iterator[tuple[bytes, int, int]]:
        """Each record's payload, with its segment and the offset just past it."""
        if synced is None:
            with self._lock:
                synced = self._synced
        limit = min(end, synced) if end is not None else synced
        for number in _segment_numbers(self.directory):
            if number < start.segment or number > limit.segment:
                continue
            offset = start.offset if number == start.segment else 0
            stop = limit.offset if number == limit.segment else None
            # A large buffer: the flusher reads thousands of small records at a time.
            with open(_segment_path(self.directory, number), "rb", buffering=READ_BUFFER) as handle:
                handle.seek(offset)
                read, unpack, crc32 = handle.read, HEADER.unpack, zlib.crc32
                while stop is None or offset < stop:
                    header = read(HEADER.size)
                    if len(header) < HEADER.size:
                        break  # end of segment, or a torn tail that was never acknowledged
                    length, crc = unpack(header)
                    payload = read(length)
                    if len(payload) < length or crc32(payload) != crc:
                        break
                    offset += HEADER.size + length
                    yield payload, number, offset

    def commit(self, checkpoint: Checkpoint, consumed_bytes: int = 0) -> None:
        """Record progress durably, then delete segments that are wholly in the store."""
        tmp = self.directory / (CHECKPOINT + ".tmp")
        data = {"done": [checkpoint.done.segment, checkpoint.done.offset],
                "inflight": None if checkpoint.inflight is None
                else [checkpoint.inflight.segment, checkpoint.inflight.offset]}
        with open(tmp, "w") as handle:
            json.dump(data, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.directory / CHECKPOINT)
        _fsync_dir(self.directory)
        with self._lock:
            self._checkpoint = checkpoint
            active = self._segment
        with self._accounting:
            self._pending_bytes = max(0, self._pending_bytes - consumed_bytes)
        for number in _segment_numbers(self.directory):
            if number < checkpoint.done.segment and number < active:
                _segment_path(self.directory, number).unlink(missing_ok=True)

    def _read_checkpoint(self) -> Checkpoint:
        try:
            data = json.loads((self.directory / CHECKPOINT).read_text())
            inflight = data.get("inflight")
            return Checkpoint(Position(*data["done"]), Position(*inflight) if inflight else None)
        except FileNotFoundError:
            first = _segment_numbers(self.directory)
            return Checkpoint(Position(first[0] if first else 0, 0))

    def unflushed_rows(self) -> Iterator[dict[str, Any]]:
        """Every synced row not yet in the store (to seed duplicate detection at start)."""
        for payload, _, _ in self._records(self._checkpoint.done, None):
            yield from decode(payload)


def decode(payload: bytes) -> list[dict[str, Any]]:
    """The rows of a record's payload: JSON Lines, or a JSON array (records of old versions)."""
    if payload[:1] == b"[":
        return orjson.loads(payload)  # type: ignore[no-any-return]
    return orjson.loads(b"[" + payload.replace(b"\n", b",") + b"]")  # type: ignore[no-any-return]


def row_count(payload: bytes) -> int:
    """How many rows a record's payload holds, without parsing JSON Lines."""
    if payload[:1] == b"[":
        return len(orjson.loads(payload))
    return payload.count(b"\n") + 1


class GroupCommit:
    """Acknowledge appends only once synced, with one write and one fsync per group of
    concurrent appends.

    The event loop only encodes a request's record, reserves its room (so SpoolFull is
    immediate) and queues it. A committer thread takes whatever is queued, writes it in one
    go, fsyncs, hands the results back to the loop and at once takes the next group: the
    cycle never waits for the busy event loop to start the next fsync, only to learn of the
    last one."""

    def __init__(self, spool: Spool) -> None:
        self.spool = spool
        self._lock = threading.Lock()
        self._queue_changed = threading.Condition(self._lock)
        self._queued: list[tuple[bytes, asyncio.Future[None]]] = []
        self._unresolved = 0  # records taken by the committer whose futures are not yet resolved
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="footfall-commit", daemon=True)
        self._thread.start()

    async def append(self, rows: list[dict[str, Any]]) -> None:
        """Return once `rows` are on disk; raises SpoolFull when the spool is at its cap."""
        assert self._loop is not None, "GroupCommit.start() first"
        record = self.spool.encode(rows)
        self.spool.reserve(len(record))
        future: asyncio.Future[None] = self._loop.create_future()
        with self._lock:
            self._queued.append((record, future))
            if len(self._queued) == 1:
                self._queue_changed.notify()  # the committer may be idle
        await future

    def _run(self) -> None:
        assert self._loop is not None
        while True:
            with self._lock:
                while not self._queued and not self._stopping:
                    self._queue_changed.wait()
                if not self._queued:
                    return
                group, self._queued = self._queued, []
                self._unresolved += len(group)
            error: OSError | None = None
            try:
                self.spool.write([record for record, _ in group])
                self.spool.sync()
            except OSError as exc:
                error = exc
            except Exception as exc:  # never leave an append waiting: it is answered 503
                log.exception("the spool could not take a group of %d records", len(group))
                error = OSError(f"spool write failed: {exc}")
            try:
                self._loop.call_soon_threadsafe(self._resolve, group, error)
            except RuntimeError:  # the loop is closed: nobody is waiting any more
                return

    def _resolve(self, group: list[tuple[bytes, asyncio.Future[None]]], error: OSError | None) -> None:
        """On the loop: answer the group's appends (a cancelled one, whose client left, is skipped)."""
        for _, future in group:
            if not future.done():
                if error is None:
                    future.set_result(None)
                else:
                    future.set_exception(error)
        with self._lock:
            self._unresolved -= len(group)

    async def stop(self) -> None:
        """Answer every queued append, then end the committer."""
        while self._queued or self._unresolved:
            await asyncio.sleep(0.005)
        with self._lock:
            self._stopping = True
            self._queue_changed.notify()
        if self._thread is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._thread.join, 5.0)
