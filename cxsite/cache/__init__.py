"""The one cache: a store of results by key (:mod:`.store`), the one key
rule (:mod:`.keys`), what "the toolchain" is (:mod:`.toolchain`) and the
index that tells a file's content digest from its stat (:mod:`.index`).
Only the build layer uses it (docs/architecture.md)."""
