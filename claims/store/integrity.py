"""A DuckDB file checked block by block, by reading it only, before anything writes to it.

Why. DuckDB reads a block only when a query needs it, so a read-only look at a damaged file
can pass while the first write meets the damage halfway: a file cut by 1 byte to 256 KiB lost
part of its last block, which held index data that no read touched; the next write committed
(and checkpointed: 76,905 bytes changed, from the header on) before an insert needed the
index and failed. :func:`file_damage` therefore reads the file as DuckDB lays it out and checks every
block that holds anything, whatever the size of the cut or where the damaged byte is.

The layout (duckdb 1.5, ``src/storage/single_file_block_manager.cpp``). Three headers of
4 KiB: the main header (magic bytes ``DUCK`` at byte 8), then two database headers, each
``iteration, meta_block, free_list, block_count, block_alloc_size, vector_size,
serialization_compatibility`` (little-endian 64-bit); the one with the higher iteration is the
current one. Blocks of ``block_alloc_size`` bytes (256 KiB unless the file was made with
another) follow from byte 12,288. Every header and block starts with an 8-byte checksum of
the rest of it. The free list is a chain of metadata sub-blocks (a block cut into 64 pieces
of ``(block_alloc_size - 8) // 64`` bytes rounded down to 8, each beginning with the pointer
to the next: block id in the low 56 bits, piece index in the high 8), which holds the count
of free blocks and their ids. Every block below ``block_count`` that is not free is in use:
by a table, an index, the catalog or the free list itself.

What counts as damage: a header that fails its checksum or says what no DuckDB file says; a
block in use that the file does not hold in full, or that fails its checksum; a free list that
points outside the file or loops. Not damage: free blocks cut off the end (DuckDB itself cuts
free blocks off the end of the file after a checkpoint, and writes them whole when it uses
them again, so the header may count blocks that the file no longer holds), and a free block's
contents. The write-ahead log is not read here: DuckDB replays it, checksum by checksum, when
the file is opened read-only before this check (see ``Database.check_integrity``), and refuses
a corrupt one there; an entry cut short at the end (a crash in mid-write) is DuckDB's own
recovery, not damage.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

__all__ = ["BLOCK_START", "HEADER_SIZE", "blocks_in_use", "file_damage"]

HEADER_SIZE = 4096
#: where the first block starts: the main header and the two database headers come before
BLOCK_START = 3 * HEADER_SIZE
_CHECKSUM_SIZE = 8
_MAGIC = b"DUCK"
_DEFAULT_BLOCK_ALLOC_SIZE = 262144
_BLOCK_SIZES = frozenset(1 << n for n in range(14, 19))  # 16 KiB to 256 KiB, what DuckDB allows
_METADATA_PIECES = 64
_INVALID = 0xFFFFFFFFFFFFFFFF  # DuckDB's INVALID_BLOCK / INVALID_INDEX as stored
_ENCRYPTED_FLAG = 1
# DuckDB's checksum: 5381 XOR-ed with each little-endian 64-bit word times this, modulo 2**64
_CHECKSUM_FACTOR = np.uint64(0xBF58476D1CE4E5B9)
_CHECKSUM_SEED = 5381
_BLOCKS_PER_READ = 64  # blocks read and checked at once (16 MiB at the default size)


def _checksums(words: np.ndarray) -> np.ndarray:
    """DuckDB's checksum of each row of ``words`` (little-endian uint64, one row per header
    or block, without its own 8-byte checksum)."""
    with np.errstate(over="ignore"):
        return np.bitwise_xor.reduce(words * _CHECKSUM_FACTOR, axis=1) ^ np.uint64(_CHECKSUM_SEED)


def _stored_and_computed(buffer: bytes, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The checksums stored at the start of each ``size``-byte unit of ``buffer`` and those
    computed from the rest of each unit."""
    words = np.frombuffer(buffer, dtype="<u8").reshape(-1, size // 8)
    return words[:, 0], _checksums(words[:, 1:])


@dataclass(frozen=True)
class _Layout:
    """What the current database header says about the file."""

    iteration: int
    block_count: int
    block_alloc_size: int
    free_list: int  # a metadata pointer (block id | piece << 56), or _INVALID when none

    @property
    def piece_size(self) -> int:
        """The size of one of the 64 pieces a metadata block is cut into."""
        return (self.block_alloc_size - _CHECKSUM_SIZE) // _METADATA_PIECES // 8 * 8

    def block_range(self, block: int) -> tuple[int, int]:
        """Where block ``block`` starts and ends in the file (bytes)."""
        start = BLOCK_START + block * self.block_alloc_size
        return start, start + self.block_alloc_size


class _Damaged(Exception):
    """Raised inside this module with the description of the damage found."""


def _read_at(handle: BinaryIO, offset: int, size: int) -> bytes:
    handle.seek(offset)
    return handle.read(size)


def _read_layout(handle: BinaryIO, size: int) -> _Layout | None:
    """The current database header of the file open as ``handle`` (``size`` bytes long),
    its three headers checked; None for an encrypted file (only DuckDB, given the key, can
    read its headers and blocks); raises ``_Damaged`` when they are not sound."""
    if size < BLOCK_START:
        raise _Damaged(f"the file is {size:,} bytes, shorter than its {BLOCK_START:,} bytes of headers: it was cut short")
    headers = _read_at(handle, 0, BLOCK_START)
    if len(headers) < BLOCK_START:
        raise _Damaged(f"only {len(headers):,} bytes of its headers could be read")
    if headers[_CHECKSUM_SIZE:_CHECKSUM_SIZE + len(_MAGIC)] != _MAGIC:
        raise _Damaged("it does not begin as a DuckDB file does")
    flags_at = _CHECKSUM_SIZE + len(_MAGIC) + 8  # after the magic bytes and the version number
    if struct.unpack_from("<Q", headers, flags_at)[0] & _ENCRYPTED_FLAG:
        return None  # its database headers and blocks are encrypted: DuckDB checks them with the key
    stored, computed = _stored_and_computed(headers, HEADER_SIZE)
    for index, name in enumerate(("main header", "first database header", "second database header")):
        if stored[index] != computed[index]:
            raise _Damaged(f"its {name} (bytes {index * HEADER_SIZE:,}-{(index + 1) * HEADER_SIZE - 1:,}) "
                           "fails its checksum")
    current = max((struct.unpack_from("<5Q", headers, offset + _CHECKSUM_SIZE) for offset in (HEADER_SIZE,
                                                                                            2 * HEADER_SIZE)),
                  key=lambda fields: fields[0])
    iteration, _meta_block, free_list, block_count, block_alloc_size = current
    block_alloc_size = block_alloc_size or _DEFAULT_BLOCK_ALLOC_SIZE  # 0 in files from before the setting
    if block_alloc_size not in _BLOCK_SIZES:
        raise _Damaged(f"its header gives a block size of {block_alloc_size:,} bytes, which no DuckDB file has")
    return _Layout(iteration, block_count, block_alloc_size, free_list)


def _read_block(handle: BinaryIO, layout: _Layout, size: int, block: int, what: str) -> bytes:
    """Block ``block`` (``what`` it holds, for the message), present in full and checksum-checked."""
    if not 0 <= block < layout.block_count:
        raise _Damaged(f"its {what} points to block {block:,}, outside its {layout.block_count:,} blocks")
    start, end = layout.block_range(block)
    if end > size:
        raise _Damaged(f"its {what} is in block {block:,} (bytes {start:,}-{end - 1:,}), past the end of the "
                       f"file ({size:,} bytes): it was cut short")
    data = _read_at(handle, start, layout.block_alloc_size)
    stored, computed = _stored_and_computed(data, layout.block_alloc_size)
    if stored[0] != computed[0]:
        raise _Damaged(f"block {block:,} (bytes {start:,}-{end - 1:,}, its {what}) fails its checksum")
    return data


def _free_blocks(handle: BinaryIO, layout: _Layout, size: int) -> set[int]:
    """The blocks the free list names, read through its chain of metadata pieces."""
    if layout.free_list == _INVALID:
        return set()
    stream = bytearray()
    pointer = layout.free_list
    blocks: dict[int, bytes] = {}
    seen: set[int] = set()
    while pointer != _INVALID:
        if pointer in seen:
            raise _Damaged("its free list loops")
        seen.add(pointer)
        block, piece = pointer & ((1 << 56) - 1), pointer >> 56
        if piece >= _METADATA_PIECES:
            raise _Damaged(f"its free list points to piece {piece} of a block cut into {_METADATA_PIECES}")
        if block not in blocks:
            blocks[block] = _read_block(handle, layout, size, block, "free list")
        start = _CHECKSUM_SIZE + piece * layout.piece_size
        data = blocks[block][start:start + layout.piece_size]
        pointer = struct.unpack_from("<Q", data)[0]
        stream += data[8:]
        if len(stream) >= 8:
            count = struct.unpack_from("<Q", stream)[0]
            if count > layout.block_count:
                raise _Damaged(f"its free list counts {count:,} free blocks of {layout.block_count:,}")
            if len(stream) >= 8 * (count + 1):
                return set(struct.unpack_from(f"<{count}q", stream, 8))
    raise _Damaged("its free list ends before the blocks it counts")


def _in_use(layout: _Layout, free: set[int], size: int) -> np.ndarray:
    """Whether each of the header's blocks is in use (not in the free list); raises
    ``_Damaged`` when more are in use than the file has room for (before counting them one
    by one: a header's count is not trusted with memory)."""
    free = {b for b in free if 0 <= b < layout.block_count}
    held = max(0, size - BLOCK_START) // layout.block_alloc_size
    if layout.block_count - len(free) > held:
        raise _Damaged(f"the file is {size:,} bytes, room for {held:,} blocks, but {layout.block_count - len(free):,} "
                       "are in use: it was cut short")
    in_use = np.ones(layout.block_count, dtype=bool)
    in_use[sorted(free)] = False
    return in_use


def _check_blocks(handle: BinaryIO, layout: _Layout, size: int, in_use: np.ndarray) -> None:
    """Every block in use present in full, and its checksum right."""
    used = np.flatnonzero(in_use)
    ends = BLOCK_START + (used + 1) * layout.block_alloc_size
    if ends.size and int(ends[-1]) > size:
        cut = int(used[np.flatnonzero(ends > size)[0]])
        raise _Damaged(f"the file is {size:,} bytes but its blocks in use need {int(ends[-1]):,}: it was cut short, "
                       f"from block {cut:,} on")
    words_per_block = layout.block_alloc_size // 8
    for first in range(0, layout.block_count, _BLOCKS_PER_READ):
        wanted = in_use[first:first + _BLOCKS_PER_READ]
        if not wanted.any():
            continue
        wanted = wanted[:int(np.flatnonzero(wanted)[-1]) + 1]  # read no further than the last block in use
        data = _read_at(handle, layout.block_range(first)[0], wanted.size * layout.block_alloc_size)
        words = np.frombuffer(data, dtype="<u8").reshape(-1, words_per_block)
        bad = np.flatnonzero((words[:, 0] != _checksums(words[:, 1:])) & wanted)
        if bad.size:
            block = first + int(bad[0])
            start, end = layout.block_range(block)
            raise _Damaged(f"block {block:,} (bytes {start:,}-{end - 1:,}) is in use and fails its checksum: "
                           "the file is corrupt")


def file_damage(handle: BinaryIO, size: int) -> str | None:
    """What is wrong with the DuckDB file open (for reading) as ``handle``, ``size`` bytes
    long, in a phrase for an error message; None when every header and every block in use is
    there and passes its checksum. An encrypted file cannot be checked without its key (DuckDB
    checks its blocks as it reads them)."""
    try:
        layout = _read_layout(handle, size)
        if layout is not None:
            _check_blocks(handle, layout, size, _in_use(layout, _free_blocks(handle, layout, size), size))
    except _Damaged as damage:
        return str(damage)
    return None


def blocks_in_use(handle: BinaryIO, size: int) -> list[int]:
    """The ids of the blocks the file open as ``handle`` holds anything in (tables, indexes,
    the catalog, the free list), by its header and free list; ValueError with what is wrong
    when those cannot be read or the file is encrypted."""
    try:
        layout = _read_layout(handle, size)
        if layout is None:
            raise _Damaged("the file is encrypted")
        return [int(b) for b in np.flatnonzero(_in_use(layout, _free_blocks(handle, layout, size), size))]
    except _Damaged as damage:
        raise ValueError(str(damage)) from None
