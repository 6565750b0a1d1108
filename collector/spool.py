"""A durable on-disk spool: what the collector acknowledges is already on disk.

Requests add one record each (all of their events) to the active segment file; a group
commit (`GroupCommit`) writes and fsyncs, at once, every record that arrived while the previous
fsync ran, so throughput holds while each 2xx still means "synced". A flusher (`collector.flusher`) reads
only synced records, writes them to ClickHouse in batches and then trims the spool.

Layout of `<data dir>/spool/`: segments `00000000000000000001.seg`, … each a run of records
`[u32 length][u32 crc32][JSON array of event rows]`, and `checkpoint.json` saying how far the
store has the data. A new process never appends to an old segment, so a torn tail from a
crash is only ever at the end of a segment that is read, not written.
"""

from __future__ import annotations

import asyncio
import json
import os
import struct
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

HEADER = struct.Struct("<II")
SEGMENT_SUFFIX = ".seg"
CHECKPOINT = "checkpoint.json"


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
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
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
        payload = orjson.dumps(rows)
        return HEADER.pack(len(payload), zlib.crc32(payload)) + payload

    def reserve(self, size: int) -> None:
        """Count `size` bytes about to be written as pending; SpoolFull past the cap."""
        with self._lock:
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
        rows: list[dict[str, Any]] = []
        position, consumed = start, 0
        with self._lock:
            synced = self._synced
        for payload, after in self._records(start, end, synced):
            rows.extend(orjson.loads(payload))
            position = after
            consumed += HEADER.size + len(payload)
            if end is None and len(rows) >= max_rows:
                break
        if not rows and end is None:
            with self._lock:
                self._read_dry_at = synced
        return rows, position, consumed

    def _records(
        self, start: Position, end: Position | None, synced: Position | None = None
    ) -> Iterator[tuple[bytes, Position]]:
        if synced is None:
            with self._lock:
                synced = self._synced
        limit = min(end, synced) if end is not None else synced
        for number in _segment_numbers(self.directory):
            if number < start.segment or number > limit.segment:
                continue
            offset = start.offset if number == start.segment else 0
            stop = limit.offset if number == limit.segment else None
            with open(_segment_path(self.directory, number), "rb") as handle:
                handle.seek(offset)
                while stop is None or offset < stop:
                    header = handle.read(HEADER.size)
                    if len(header) < HEADER.size:
                        break  # end of segment, or a torn tail that was never acknowledged
                    length, crc = HEADER.unpack(header)
                    payload = handle.read(length)
                    if len(payload) < length or zlib.crc32(payload) != crc:
                        break
                    offset += HEADER.size + length
                    yield payload, Position(number, offset)

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
            self._pending_bytes = max(0, self._pending_bytes - consumed_bytes)
            active = self._segment
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
        for payload, _ in self._records(self._checkpoint.done, None):
            yield from orjson.loads(payload)


class GroupCommit:
    """Acknowledge appends only once synced, with one write and one fsync per group of
    concurrent appends.

    The event loop only encodes a request's record and reserves its room (so SpoolFull is
    immediate); the group's write and fsync both run on a worker thread."""

    def __init__(self, spool: Spool) -> None:
        self.spool = spool
        self._queued: list[tuple[bytes, asyncio.Future[None]]] = []
        self._writing = 0  # records in the group being written and synced
        self._dirty: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._dirty = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def append(self, rows: list[dict[str, Any]]) -> None:
        """Return once `rows` are on disk; raises SpoolFull when the spool is at its cap."""
        assert self._dirty is not None, "GroupCommit.start() first"
        record = self.spool.encode(rows)
        self.spool.reserve(len(record))
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queued.append((record, future))
        self._dirty.set()
        await future

    def _write_and_sync(self, records: list[bytes]) -> None:
        self.spool.write(records)
        self.spool.sync()

    async def _run(self) -> None:
        assert self._dirty is not None
        loop = asyncio.get_running_loop()
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            group, self._queued = self._queued, []
            if not group:
                continue
            self._writing = len(group)
            try:
                await loop.run_in_executor(None, self._write_and_sync, [record for record, _ in group])
            except OSError as exc:
                for _, future in group:
                    if not future.done():
                        future.set_exception(exc)
                continue
            finally:
                self._writing = 0
            for _, future in group:
                if not future.done():
                    future.set_result(None)

    async def stop(self) -> None:
        if self._dirty is not None and (self._queued or self._writing):
            self._dirty.set()
            while self._queued or self._writing:
                await asyncio.sleep(0.005)
        if self._task is not None:
            self._task.cancel()
