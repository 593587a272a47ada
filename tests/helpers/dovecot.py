"""A real Dovecot IMAP server for the tests: 127.0.0.1, a free port, a throwaway config.

Passwd-file authentication, one user with a Maildir, no system service. Run as root
(CI), Dovecot's login processes must not be root: they run as ``dovenull`` and the
mail processes as ``nobody``; run as an ordinary user, everything runs as that user.
The whole server lives in one temporary folder that is removed afterwards.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

USER = "owner@example.test"
PASSWORD = "s3cret-app-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Dovecot:
    """Start with ``start()``; ``stop()`` (or ``kill()``) ends every process it started."""

    def __init__(self, *, tls_cert: tuple[Path, Path] | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="cfdv-"))
        self.root.chmod(0o755)  # the unprivileged login processes must reach base_dir
        self.port = free_port()
        self.tls_cert = tls_cert
        self.maildir = self.root / "home" / "Maildir"
        for sub in ("cur", "new", "tmp"):
            (self.maildir / sub).mkdir(parents=True)
        self.proc: subprocess.Popen[bytes] | None = None
        self._seq = 0
        if os.geteuid() == 0:
            self.login_user, self.internal_user = "dovenull", "dovecot"
            self.mail_uid = pwd.getpwnam("nobody").pw_uid
            self.mail_gid = pwd.getpwnam("nobody").pw_gid
        else:
            me = pwd.getpwuid(os.getuid()).pw_name
            self.login_user = self.internal_user = me
            self.mail_uid, self.mail_gid = os.getuid(), os.getgid()

    # -- seeding ---------------------------------------------------------------

    def folder_dir(self, folder: str) -> Path:
        path = self.maildir if folder == "INBOX" else self.maildir / f".{folder}"
        for sub in ("cur", "new", "tmp"):
            (path / sub).mkdir(parents=True, exist_ok=True)
        return path

    def seed(self, folder: str, data: bytes, *, seen: bool = False) -> None:
        """Drop a message straight into the Maildir (before start, or picked up at the next SELECT)."""
        self._seq += 1
        base = self.folder_dir(folder)
        name = f"{1_700_000_000 + self._seq}.M{self._seq}P1.casefile-test"
        target = base / ("cur" if seen else "new") / (f"{name}:2,S" if seen else name)
        target.write_bytes(data)
        self._own(self.root / "home")

    def _own(self, path: Path) -> None:
        if os.geteuid() == 0:
            for dirpath, _dirnames, filenames in os.walk(path):
                os.chown(dirpath, self.mail_uid, self.mail_gid)
                for name in filenames:
                    os.chown(os.path.join(dirpath, name), self.mail_uid, self.mail_gid)

    # -- running ---------------------------------------------------------------

    def config(self) -> str:
        r = self.root
        ssl = "no"
        listeners = f"inet_listener imap {{\n    address = 127.0.0.1\n    port = {self.port}\n  }}\n"
        listeners += "  inet_listener imaps {\n    port = 0\n  }\n"
        if self.tls_cert:
            cert, key = self.tls_cert
            ssl = f"required\nssl_cert = <{cert}\nssl_key = <{key}"
            listeners = "inet_listener imap {\n    port = 0\n  }\n"
            listeners += (
                f"  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {self.port}\n    ssl = yes\n  }}\n"
            )
        return f"""
base_dir = {r}/run
state_dir = {r}/state
log_path = {r}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = {ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {self.internal_user}
default_internal_group = {self._group(self.internal_user)}
default_login_user = {self.login_user}
first_valid_uid = 1
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {r}/passwd
}}
userdb {{
  driver = static
  args = uid={self.mail_uid} gid={self.mail_gid} home={r}/home
}}
service imap-login {{
  chroot =
  {listeners}
}}
service anvil {{
  chroot =
}}
"""

    @staticmethod
    def _group(user: str) -> str:
        import grp

        return grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name

    def start(self) -> Dovecot:
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        (self.root / "dovecot.conf").write_text(self.config())
        self._own(self.root / "home")
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        self.proc = subprocess.Popen(
            [binary, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, so stop() ends its children too
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.proc.stderr.read().decode() if self.proc.stderr else ''}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not listen on port {self.port}: {self.log()}")

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill(self) -> None:
        """The server is gone at once (the master and every child): 'server gone mid-fetch'."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if self.proc is not None and self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- looking at the server as a client would -------------------------------------

    def client(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.login(USER, PASSWORD)
        return conn

    def append(self, folder: str, data: bytes, *, seen: bool = False) -> None:
        conn = self.client()
        try:
            conn.create(folder) if folder != "INBOX" else None
            typ, _ = conn.append(folder, "(\\Seen)" if seen else "", None, data)
            assert typ == "OK"
        finally:
            conn.logout()

    def flags(self, folder: str) -> dict[int, frozenset[str]]:
        """UID -> flags, read with EXAMINE (the check must not change what it checks)."""
        conn = self.client()
        try:
            typ, _ = conn.select(folder, readonly=True)
            assert typ == "OK", folder
            typ, data = conn.uid("FETCH", "1:*", "(UID FLAGS)")
            found: dict[int, frozenset[str]] = {}
            for item in data:
                if not isinstance(item, bytes):
                    continue
                text = item.decode()
                uid = int(text.split("UID ", 1)[1].split()[0].rstrip(")"))
                flags = text.split("FLAGS (", 1)[1].split(")", 1)[0].split()
                found[uid] = frozenset(f for f in flags if f != "\\Recent")
            return found
        finally:
            conn.logout()
