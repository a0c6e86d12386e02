"""SM3 (GB/T 32905-2016), the national hash the archive's fixity is computed with.

    sm3_hex(b"abc")        # '66c7f0f4…8f4ba8e0'
    Sm3().update(chunk)    # streaming, for large files

`Sm3` uses OpenSSL's SM3 through `cryptography` (already a dependency, the registry's
signing uses it) when that build has it, else the pure-Python `PureSm3` below: an archive
must still verify on a PC whose OpenSSL lacks SM3. Both are tested against the standard's
vectors and each other; bench/archive.py prints the speed of each. (HMAC-SM3 is the
registry's, app/registry/signing.py: the archive signs with Ed25519, docs/archive.md.)
"""
from __future__ import annotations

import hmac as std_hmac
import struct
from typing import Protocol

__all__ = ["Sm3", "PureSm3", "sm3_hex", "native_sm3_available", "same_digest"]

_IV = (0x7380166F, 0x4914B2B9, 0x172442D7, 0xDA8A0600,
       0xA96F30BC, 0x163138AA, 0xE38DEE4D, 0xB0FB0E4E)
_M = 0xFFFFFFFF


def _rotl(x: int, n: int) -> int:
    n %= 32
    return ((x << n) | (x >> (32 - n))) & _M


# T_j <<< j, once: the round constants as the compression function adds them
_TJ = tuple(_rotl(0x79CC4519 if j < 16 else 0x7A879D8A, j) for j in range(64))
_BLOCK = struct.Struct(">16I")


def _compress(v: tuple[int, ...], block: bytes, offset: int) -> tuple[int, ...]:
    # Rotations are written out inline and the two round functions in two loops: this is
    # the hot path of the pure-Python fallback, and a call or a branch per round costs ~20 %.
    w = list(_BLOCK.unpack_from(block, offset))
    for j in range(16, 68):
        x = w[j - 16] ^ w[j - 9] ^ (((w[j - 3] << 15) | (w[j - 3] >> 17)) & _M)
        x ^= (((x << 15) | (x >> 17)) & _M) ^ (((x << 23) | (x >> 9)) & _M)    # P1
        w.append(x ^ (((w[j - 13] << 7) | (w[j - 13] >> 25)) & _M) ^ w[j - 6])
    a, b, c, d, e, f, g, h = v
    tj = _TJ
    for j in range(16):
        a12 = ((a << 12) | (a >> 20)) & _M
        ss1 = (a12 + e + tj[j]) & _M
        ss1 = ((ss1 << 7) | (ss1 >> 25)) & _M
        wj = w[j]
        tt1 = ((a ^ b ^ c) + d + (ss1 ^ a12) + (wj ^ w[j + 4])) & _M
        tt2 = ((e ^ f ^ g) + h + ss1 + wj) & _M
        d, c, b, a = c, ((b << 9) | (b >> 23)) & _M, a, tt1
        h, g, f = g, ((f << 19) | (f >> 13)) & _M, e
        e = tt2 ^ (((tt2 << 9) | (tt2 >> 23)) & _M) ^ (((tt2 << 17) | (tt2 >> 15)) & _M)  # P0
    for j in range(16, 64):
        a12 = ((a << 12) | (a >> 20)) & _M
        ss1 = (a12 + e + tj[j]) & _M
        ss1 = ((ss1 << 7) | (ss1 >> 25)) & _M
        wj = w[j]
        tt1 = (((a & b) | (c & (a | b))) + d + (ss1 ^ a12) + (wj ^ w[j + 4])) & _M
        tt2 = (((e & f) | (g & ~e)) + h + ss1 + wj) & _M
        d, c, b, a = c, ((b << 9) | (b >> 23)) & _M, a, tt1
        h, g, f = g, ((f << 19) | (f >> 13)) & _M, e
        e = tt2 ^ (((tt2 << 9) | (tt2 >> 23)) & _M) ^ (((tt2 << 17) | (tt2 >> 15)) & _M)  # P0
    return (v[0] ^ a, v[1] ^ b, v[2] ^ c, v[3] ^ d, v[4] ^ e, v[5] ^ f, v[6] ^ g, v[7] ^ h)


class Hasher(Protocol):
    def update(self, data: bytes) -> None: ...
    def digest(self) -> bytes: ...
    def hexdigest(self) -> str: ...


class PureSm3:
    """SM3 in pure Python (word-level operations on 64-byte blocks)."""

    name = "sm3"
    digest_size = 32
    block_size = 64

    def __init__(self, data: bytes = b"") -> None:
        self._v: tuple[int, ...] = _IV
        self._buf = b""
        self._length = 0
        if data:
            self.update(data)

    def update(self, data: bytes) -> None:
        self._length += len(data)
        buf = self._buf + bytes(data)
        whole = len(buf) - len(buf) % 64
        v = self._v
        for off in range(0, whole, 64):
            v = _compress(v, buf, off)
        self._v, self._buf = v, buf[whole:]

    def copy(self) -> "PureSm3":
        other = PureSm3()
        other._v, other._buf, other._length = self._v, self._buf, self._length
        return other

    def digest(self) -> bytes:
        bits = self._length * 8
        tail = self._buf + b"\x80" + b"\x00" * ((55 - self._length) % 64) + struct.pack(">Q", bits)
        v = self._v
        for off in range(0, len(tail), 64):
            v = _compress(v, tail, off)
        return struct.pack(">8I", *v)

    def hexdigest(self) -> str:
        return self.digest().hex()


def native_sm3_available() -> bool:
    try:
        from cryptography.hazmat.primitives import hashes
        h = hashes.Hash(hashes.SM3())
        h.update(b"abc")
        h.finalize()
        return True
    except Exception:   # no cryptography, or its OpenSSL was built without SM3
        return False


class _NativeSm3:
    """OpenSSL's SM3 through `cryptography`."""

    def __init__(self) -> None:
        from cryptography.hazmat.primitives import hashes
        self._h = hashes.Hash(hashes.SM3())
        self._done: bytes | None = None

    def update(self, data: bytes) -> None:
        self._h.update(data)

    def digest(self) -> bytes:
        if self._done is None:
            self._done = self._h.finalize()
        return self._done

    def hexdigest(self) -> str:
        return self.digest().hex()


_NATIVE = native_sm3_available()


def Sm3(data: bytes = b"", *, pure: bool = False) -> Hasher:  # noqa: N802 (reads like a class)
    """A new SM3 hasher: OpenSSL's when it has SM3 (and not `pure`), else PureSm3."""
    h: Hasher = PureSm3() if pure or not _NATIVE else _NativeSm3()
    if data:
        h.update(data)
    return h


def sm3_hex(data: bytes, *, pure: bool = False) -> str:
    return Sm3(data, pure=pure).hexdigest()


def same_digest(a: str | bytes, b: str | bytes) -> bool:
    """Constant-time comparison of two digests (hex or raw)."""
    a = a.encode() if isinstance(a, str) else a
    b = b.encode() if isinstance(b, str) else b
    return std_hmac.compare_digest(a, b)
