"""Start (and stop) the local classroom JupyterHub on 127.0.0.1: the offline trial setup.

What it does, in order:

1. serves THIS repository to the hub as a git remote: a bare repository under the state folder
   into which the checkout's current commit (``HEAD``) is pushed as branch ``main``; the
   nbgitpuller links point at it (``repo=file:///.../remote/rnn_book``);
2. starts ``.venv-hub/bin/jupyterhub`` (installed by ``deploy/install_hub.sh``) with the TEST
   configuration ``deploy/test/jupyterhub_config.py`` (any password; 127.0.0.1 only) on free
   ports, in its own process group, and waits until it answers;
3. on :meth:`LocalHub.stop`: stops the hub (which stops the proxy and the students' servers),
   then kills whatever process is left that belongs to this hub: its process group, and every
   process whose environment carries this hub's marker ``RNN_BOOK_HUB_ID`` (students' servers
   and their kernels run in sessions of their own).

Used by ``tests/test_classroom_hub.py`` (standard library only, any Python) and from the command
line, for a teacher who wants to try the setup (``bash deploy/start_hub.sh`` does both steps)::

    python deploy/local_hub.py            # prints the URL and one nbgitpuller link per chapter

Never expose this hub: it lets anybody in.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
HUB_PYTHON = REPO_ROOT / ".venv-hub" / "bin" / "python"
JUPYTERHUB = REPO_ROOT / ".venv-hub" / "bin" / "jupyterhub"
PROXY = REPO_ROOT / "deploy" / "node_modules" / ".bin" / "configurable-http-proxy"
TEST_CONFIG = REPO_ROOT / "deploy" / "test" / "jupyterhub_config.py"
HOST = "127.0.0.1"
REPO_NAME = "rnn_book"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def make_git_remote(dest: Path, source: Path = REPO_ROOT) -> Path:
    """A bare repository ``dest/remote/rnn_book`` holding ``source``'s HEAD commit as ``main``.

    No ``.git`` suffix: nbgitpuller names the student's folder after the last part of the URL.
    """
    bare = dest / "remote" / REPO_NAME
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    subprocess.run(
        ["git", "-C", str(source), "push", "--quiet", "--force", str(bare), "HEAD:refs/heads/main"],
        check=True,
    )
    subprocess.run(["git", "-C", str(bare), "symbolic-ref", "HEAD", "refs/heads/main"], check=True)
    return bare


def processes_with_marker(marker: str) -> list[int]:
    """PIDs of the processes whose environment holds ``RNN_BOOK_HUB_ID=<marker>``."""
    needle = f"RNN_BOOK_HUB_ID={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            env = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in env.split(b"\0"):
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie is dead for our purpose (its parent reaps it)
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class LocalHub:
    """One local JupyterHub (test configuration) on 127.0.0.1; a context manager.

    Attributes after :meth:`start`: ``url`` (``"http://127.0.0.1:<port>/"``), ``state``
    (folder with the database, the log ``jupyterhub.log`` and the students' homes under
    ``home/<user>``), ``remote`` (the bare git repository), ``marker`` (``RNN_BOOK_HUB_ID``).
    """

    def __init__(self, state: Path | None = None, config: Path = TEST_CONFIG):
        self._tmp = None
        if state is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="rnn_book_hub_")
            state = Path(self._tmp.name)
        self.state = Path(state)
        self.config = Path(config)
        self.marker = uuid.uuid4().hex
        self.proc: subprocess.Popen | None = None
        self.url = ""
        self.remote: Path | None = None
        self.log_path = self.state / "jupyterhub.log"

    # ------------------------------------------------------------ links
    def git_pull_url(self, chapter: str, user: str | None = None, ext: str = ".ipynb") -> str:
        """The nbgitpuller link a teacher hands out for ``book/chapters/<chapter><ext>``.

        ``ext=".ipynb"`` opens the chapter's plain-notebook twin (the link ``book/publish.yml``
        puts on the pages), ``".md"`` the MyST page itself, which JupyterLab opens as a notebook
        through jupytext. ``/hub/user-redirect/git-pull?...`` sends whoever is logged in to their
        own server; with ``user`` the link goes to ``/user/<user>/git-pull?...`` directly.
        """
        query = urllib.parse.urlencode(
            {
                "repo": self.remote.as_uri(),
                "branch": "main",
                "urlpath": f"lab/tree/{REPO_NAME}/book/chapters/{chapter}{ext}",
            }
        )
        prefix = f"user/{user}" if user else "hub/user-redirect"
        return f"{self.url}{prefix}/git-pull?{query}"

    # ------------------------------------------------------------ start / stop
    def start(self, timeout: float = 120) -> LocalHub:
        for path, what in ((JUPYTERHUB, "JupyterHub"), (PROXY, "configurable-http-proxy")):
            if not path.exists():
                raise FileNotFoundError(
                    f"{what} is not installed ({path}); run bash deploy/install_hub.sh"
                )
        (self.state / "home").mkdir(parents=True, exist_ok=True)
        self.remote = make_git_remote(self.state)
        port = free_port()
        env = dict(os.environ)
        env.update(
            RNN_BOOK_HUB_STATE=str(self.state),
            RNN_BOOK_HUB_PORT=str(port),
            RNN_BOOK_HUB_API_PORT=str(free_port()),
            RNN_BOOK_PROXY_API_PORT=str(free_port()),
            RNN_BOOK_HUB_ID=self.marker,
            PATH=f"{JUPYTERHUB.parent}:{env.get('PATH', '/usr/bin:/bin')}",
        )
        env.pop("PYTHONPATH", None)  # the hub's env has its own rnn_book (editable install)
        self.url = f"http://{HOST}:{port}/"
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [str(JUPYTERHUB), "-f", str(self.config)],
                cwd=self.state,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"JupyterHub exited with {self.proc.returncode}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(self.url + "hub/api/", timeout=5) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        self.stop()
        raise TimeoutError(
            f"JupyterHub did not answer on {self.url} in {timeout} s:\n{self.log_tail()}"
        )

    def leftover_pids(self) -> list[int]:
        """Live processes that belong to this hub (its process group or its marker)."""
        pids = set(processes_with_marker(self.marker))
        if self.proc is not None:
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        if os.getpgid(int(entry.name)) == self.proc.pid:
                            pids.add(int(entry.name))
                    except OSError:
                        pass
        return sorted(p for p in pids if _alive(p))

    def stop(self, timeout: float = 30) -> list[int]:
        """Stop the hub and everything it started; returns PIDs that had to be SIGKILLed."""
        killed: list[int] = []
        if self.proc is None:
            return killed
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # the hub stops servers and proxy itself
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        deadline = time.monotonic() + 10
        while self.leftover_pids() and time.monotonic() < deadline:
            for pid in self.leftover_pids():
                try:
                    os.kill(pid, signal.SIGTERM)
                except OSError:
                    pass
            time.sleep(0.5)
        for pid in self.leftover_pids():
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except OSError:
                pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        return killed

    def log_tail(self, chars: int = 6000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def cleanup(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main() -> int:
    state = Path(tempfile.mkdtemp(prefix="rnn_book_hub_"))
    hub = LocalHub(state)
    print(f"==> starting the local classroom hub (state and log in {state})", flush=True)
    hub.start()
    chapters = sorted(p.stem for p in (REPO_ROOT / "book" / "chapters").glob("*.md"))
    # the plain-notebook twin where there is one (book/X.ipynb), else the MyST page
    print(f"\nJupyterHub: {hub.url}  (TEST setup: any user name and password; 127.0.0.1 only)")
    print("nbgitpuller links for the students, one per chapter:")
    for chapter in chapters:
        twin = (REPO_ROOT / "book" / "chapters" / f"{chapter}.ipynb").is_file()
        print(f"  {chapter}: {hub.git_pull_url(chapter, ext='.ipynb' if twin else '.md')}")
    print("\nCtrl-C stops the hub and every process it started.", flush=True)
    try:
        while hub.proc.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        killed = hub.stop()
        print(f"==> stopped{' (SIGKILLed ' + str(killed) + ')' if killed else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
