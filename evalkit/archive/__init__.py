"""The archive of one evaluation (`outputs/<park>/<window>/`): layout, manifest, hashes and the
comparison of results (layout.py), one writer at a time and recovery after a kill (lock.py, layout
`recover`), and assessors' Ed25519 signatures of the manifest (signing.py, imported on its own).
It stores and compares; it runs nothing (`evalkit.render` runs the stages and re-computes for
`verify`).

May import: `evalkit.core`. The report notebook imports it (`write_results`), so it stays light.
"""

from evalkit.archive.lock import ArchiveBusy, archive_lock
from evalkit.archive.layout import (
    ABSENT,
    INPUTS_DIR,
    MANIFEST,
    MANIFEST_FORMAT,
    NOTEBOOK,
    RESULTS,
    Difference,
    EngineRecord,
    InputFile,
    Manifest,
    check_integrity,
    copy_inputs,
    diff_json,
    environment_versions,
    fingerprint,
    hash_tree,
    new_staging_dir,
    place_archive,
    plan_inputs,
    read_manifest,
    recover,
    results_json,
    sha256_file,
    write_manifest,
    write_results,
)

__all__ = [
    "ABSENT",
    "INPUTS_DIR",
    "MANIFEST",
    "MANIFEST_FORMAT",
    "NOTEBOOK",
    "RESULTS",
    "Difference",
    "EngineRecord",
    "InputFile",
    "Manifest",
    "check_integrity",
    "copy_inputs",
    "diff_json",
    "environment_versions",
    "fingerprint",
    "hash_tree",
    "new_staging_dir",
    "place_archive",
    "plan_inputs",
    "read_manifest",
    "recover",
    "results_json",
    "ArchiveBusy",
    "archive_lock",
    "sha256_file",
    "write_manifest",
    "write_results",
]
