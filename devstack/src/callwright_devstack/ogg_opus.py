"""Long Ogg Opus streams of silence, written packet by packet without an encoder.

What a hostile caller sends as a pre-connect audio buffer: minutes of audio in a few
hundred kilobytes. Encoding them with libopus takes seconds a minute; every packet of
silence is the same three bytes, so the stream is assembled directly (RFC 7845 framing
of RFC 3533 pages).
"""

from __future__ import annotations

import struct

SAMPLE_RATE = 48_000
CHANNELS = 2
FRAME_SAMPLES = 960  # 20 ms at 48 kHz
PRE_SKIP = 312
# TOC 0xFC: CELT-only fullband, 20 ms, stereo, one frame; 0xFF 0xFE: the silence flag.
SILENT_PACKET = b"\xfc\xff\xfe"
PACKETS_PER_PAGE = 50  # one second a page


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
        table.append(crc & 0xFFFFFFFF)
    return table


_CRC = _crc_table()


def _crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC[((crc >> 24) ^ byte) & 0xFF]
    return crc


def _page(packets: list[bytes], *, granule: int, sequence: int, flags: int) -> bytes:
    segments = bytearray()
    for packet in packets:
        segments += bytes([255] * (len(packet) // 255) + [len(packet) % 255])
    header = struct.pack(
        "<4sBBqIIIB", b"OggS", 0, flags, granule, 0x63616C6C, sequence, 0, len(segments)
    )
    page = header + bytes(segments) + b"".join(packets)
    checksum = _crc(page)
    return page[:22] + struct.pack("<I", checksum) + page[26:]


def silence(seconds: int) -> bytes:
    """`seconds` of stereo 48 kHz silence as an Ogg Opus file."""
    head = struct.pack("<8sBBHIhB", b"OpusHead", 1, CHANNELS, PRE_SKIP, SAMPLE_RATE, 0, 0)
    vendor = b"callwright"
    tags = b"OpusTags" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0)
    pages = [_page([head], granule=0, sequence=0, flags=0x02)]
    pages.append(_page([tags], granule=0, sequence=1, flags=0))
    total = seconds * SAMPLE_RATE // FRAME_SAMPLES
    sent = 0
    while sent < total:
        count = min(PACKETS_PER_PAGE, total - sent)
        sent += count
        pages.append(
            _page(
                [SILENT_PACKET] * count,
                granule=PRE_SKIP + sent * FRAME_SAMPLES,
                sequence=len(pages),
                flags=0x04 if sent == total else 0,
            )
        )
    return b"".join(pages)
