"""The one key rule: a result's key is the digest of the step that made
it, the toolchain it was made with, and the digests of what it read.

Nothing else may go into a key: no path relative to the working folder, no
modification time, no version number of cxsite alone. What a step read is
named by content (a file by the digest of its bytes), so the same inputs
give the same key on any machine and from any folder.
"""

from __future__ import annotations

import hashlib


def digest(data: bytes | str) -> str:
    """The digest of some content (hex SHA-256)."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def step_key(step: str, toolchain: str, *inputs: str) -> str:
    """The key of ``step``'s result made by ``toolchain`` from ``inputs``
    (each a digest, or a short string that names an input exactly)."""
    hasher = hashlib.sha256()
    for part in (step, toolchain, *inputs):
        data = part.encode("utf-8")
        hasher.update(len(data).to_bytes(8, "big"))   # no two lists of inputs hash alike
        hasher.update(data)
    return hasher.hexdigest()
