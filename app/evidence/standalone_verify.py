#!/usr/bin/env python3
"""Check a Casefile dossier bundle without Casefile: python3 verify_bundle.py BUNDLE.zip|FOLDER

Needs only Python 3 and the `cryptography` package (pip install cryptography).
1. manifest.sig must be a valid Ed25519 signature over manifest.json by signing_key.pem;
2. every file manifest.json lists must have the SHA-256 it states, and every file in the
   bundle must be listed.
Prints the signing key's fingerprint: compare it with the one the owner gave you.
Exit status 0 when everything checks, 1 otherwise.
"""

import hashlib
import json
import sys
import zipfile
from pathlib import Path

UNLISTED = ("manifest.json", "manifest.sig", "SHA256SUMS")
CHUNK = 1024 * 1024


class Bundle:
    def __init__(self, path):
        self.path = Path(path)
        self.zip = zipfile.ZipFile(self.path) if self.path.is_file() else None

    def names(self):
        if self.zip is not None:
            return [i.filename for i in self.zip.infolist() if not i.is_dir()]
        return [p.relative_to(self.path).as_posix() for p in sorted(self.path.rglob("*")) if p.is_file()]

    def open(self, name):
        if self.zip is not None:
            return self.zip.open(name)
        target = (self.path / name).resolve()
        if self.path.resolve() not in target.parents:
            raise ValueError(f"{name} points outside the bundle")
        return target.open("rb")

    def read(self, name, limit=64 * 1024 * 1024):
        with self.open(name) as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise ValueError(f"{name} is too large")
        return data

    def sha256(self, name):
        digest = hashlib.sha256()
        with self.open(name) as handle:
            while True:
                chunk = handle.read(CHUNK)
                if not chunk:
                    return digest.hexdigest()
                digest.update(chunk)


def fingerprint(raw_public_key):
    digest = hashlib.sha256(raw_public_key).hexdigest()[:32]
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def check(path):
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    bundle = Bundle(path)
    names = bundle.names()
    problems = []
    for name in ("manifest.json", "manifest.sig", "signing_key.pem"):
        if name not in names:
            return [f"{name} is missing: the bundle cannot be checked"], ""
    manifest_bytes = bundle.read("manifest.json")
    key = serialization.load_pem_public_key(bundle.read("signing_key.pem", 4096))
    if not isinstance(key, Ed25519PublicKey):
        return ["signing_key.pem is not an Ed25519 key"], ""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    try:
        key.verify(bundle.read("manifest.sig", 1024), manifest_bytes)
    except InvalidSignature:
        problems.append("manifest.json was changed after it was signed (manifest.sig does not verify)")
    manifest = json.loads(manifest_bytes)
    expected = dict(manifest.get("files", {}))
    expected[manifest["pdf"]["path"]] = manifest["pdf"]["sha256"]
    for exhibit in manifest.get("exhibits", []):
        expected[exhibit["native_path"]] = exhibit["sha256"]
    for name, sha in sorted(expected.items()):
        if name not in names:
            problems.append(f"{name} is missing")
        elif bundle.sha256(name) != sha:
            problems.append(f"{name} was changed (its SHA-256 differs from manifest.json)")
    for name in names:
        if name not in expected and name not in UNLISTED and not name.startswith("timestamps/"):
            problems.append(f"{name} was added (it is not in manifest.json)")
    return problems, fingerprint(raw)


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    try:
        problems, signed_by = check(argv[1])
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as error:
        print(f"FAILED: the bundle cannot be read ({error})")
        return 1
    if signed_by:
        print(f"Signed by the key with fingerprint {signed_by}")
    for problem in problems:
        print(f"FAILED: {problem}")
    if problems:
        return 1
    print("OK: the signature verifies and every file matches manifest.json.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
