"""A PgBouncer in transaction pooling in front of the test server (SPEC 5), for the tests.

``python -m tests.support.pgbouncer -- COMMAND…`` starts one (Debian's ``pgbouncer``
package, 1.18) on a free local port with a generated configuration, runs the command with
``ADR_TEST_POOLER_URL`` pointing at it, and stops it. ``make test-pgbouncer`` runs the API
tests that way. PgBouncer refuses to run as root, so as root it runs as ``postgres``.

The pool is deliberately small (2 server connections per database and user) so that the
transactions of the service's many client connections share server connections, which is
where a prepared statement or a setting that outlives its transaction would show.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.support.databases import DEFAULT_RUNTIME_ROLE, backend_url, pooler_url, runtime_role

CONFIG = """\
[databases]
* = host={host} port={port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen_port}
unix_socket_dir =
auth_type = trust
auth_file = {directory}/userlist.txt
pool_mode = transaction
default_pool_size = 2
max_client_conn = 1000
max_db_connections = 0
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = {directory}/pgbouncer.log
pidfile = {directory}/pgbouncer.pid
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer stopped: {log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise RuntimeError("pgbouncer did not start listening within 15 s")


@contextlib.contextmanager
def running_pgbouncer() -> Iterator[str]:
    """Start PgBouncer in front of ADR_TEST_DATABASE_URL's server; yield its URL."""
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    upstream = make_url(backend_url() or "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    users = {upstream.username or "postgres", runtime_role() or DEFAULT_RUNTIME_ROLE}
    directory = Path(tempfile.mkdtemp(prefix="adr-pgbouncer-"))
    directory.chmod(0o755)
    port = _free_port()
    (directory / "userlist.txt").write_text("".join(f'"{user}" ""\n' for user in sorted(users)))
    config = directory / "pgbouncer.ini"
    config.write_text(
        CONFIG.format(
            host=upstream.host or "127.0.0.1",
            port=upstream.port or 5432,
            listen_port=port,
            directory=directory,
        )
    )
    as_user: dict[str, str] = {}
    if os.geteuid() == 0:  # it will not run as root
        for path in (directory, *directory.iterdir()):
            shutil.chown(path, "postgres")
        as_user = {"user": "postgres", "group": "postgres"}
    # -q: its log goes to the file only.
    process = subprocess.Popen([binary, "-q", str(config)], **as_user)  # type: ignore[call-overload]  # noqa: S603
    try:
        _wait_for(port, process, directory / "pgbouncer.log")
        yield f"postgresql+asyncpg://{upstream.host or '127.0.0.1'}:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(directory, ignore_errors=True)


def available() -> bool:
    return bool(pooler_url() or shutil.which("pgbouncer") or Path("/usr/sbin/pgbouncer").exists())


def main(argv: list[str]) -> int:
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print("usage: python -m tests.support.pgbouncer -- COMMAND…", file=sys.stderr)
        return 2
    with running_pgbouncer() as url:
        print(f"== PgBouncer (transaction pooling) at {url}", flush=True)
        return subprocess.call(argv, env={**os.environ, "ADR_TEST_POOLER_URL": url})  # noqa: S603


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
