"""The engine's compiled templates, kept in the build's store.

Compiling Material's templates is a third of an edited microsite's
engine time, and a fresh process compiles them all. Jinja names each
compiled template by the template's name and file and checks it against
the source's checksum; the store keys it on those and the toolchain
(which holds Jinja's and Python's versions), under the one key rule.
"""

from __future__ import annotations

import jinja2
from jinja2.bccache import Bucket

from ..cache.keys import step_key
from ..cache.store import Store


class CompiledTemplates(jinja2.BytecodeCache):
    def __init__(self, store: Store, toolchain: str) -> None:
        self.store, self.toolchain = store, toolchain

    def _key(self, bucket: Bucket) -> str:
        return step_key("template", self.toolchain, bucket.key, bucket.checksum)

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.store.get(self._key(bucket))
        if isinstance(data, bytes):
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.store.put(self._key(bucket), bucket.bytecode_to_string())
