# JupyterHub configuration for a teacher's own server (one Linux machine with systemd, for a
# class of up to ~30; for more see deploy/z2jh/). See deploy/README.md, "One server".
#
# - Authentication: NativeAuthenticator. Students sign up with a user name and password of their
#   own; nobody can log in until the teacher (an admin) approves the account at
#   /hub/authorize. Optionally only names on an allow-list file may sign up at all.
# - Each student's server runs as a separate, dynamically created system user (SystemdSpawner,
#   dynamic_users) with the memory and CPU limits measured by
#   scripts/measure_chapter_resources.py (see deploy/README.md for the numbers).
# - The hub listens publicly on port 443 with TLS only: certificate and key are required.
# - nbgitpuller links (see deploy/README.md) bring the chapters into each student's home.
#
# Settings come from the environment (e.g. in the systemd unit that runs the hub):
#   RNN_BOOK_HUB_ADMINS   comma-separated admin (teacher) user names; required
#   RNN_BOOK_HUB_TLS_CERT, RNN_BOOK_HUB_TLS_KEY   paths of the TLS certificate and key; required
#   RNN_BOOK_HUB_ALLOWED  optional: a file with one allowed student user name per line
#   RNN_BOOK_HUB_STATE    optional: state folder (default /srv/rnn_book_hub)
#
# tests/test_deploy_config.py loads this file and fails if it enables a dummy authenticator or
# listens publicly without TLS.
import os
from pathlib import Path

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

deploy = Path(__file__).resolve().parent
venv_bin = deploy.parent / ".venv-hub" / "bin"
state = Path(os.environ.get("RNN_BOOK_HUB_STATE", "/srv/rnn_book_hub"))

# ---- network: public, TLS only
c.JupyterHub.bind_url = "https://0.0.0.0:443/"
c.JupyterHub.ssl_cert = os.environ.get("RNN_BOOK_HUB_TLS_CERT", "")
c.JupyterHub.ssl_key = os.environ.get("RNN_BOOK_HUB_TLS_KEY", "")
c.JupyterHub.hub_ip = "127.0.0.1"  # the hub's own API stays on the machine
c.ConfigurableHTTPProxy.command = [
    str(deploy / "node_modules" / ".bin" / "configurable-http-proxy")
]
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")

# ---- authentication: own passwords, admin-approved sign-up, optional allow-list
c.JupyterHub.authenticator_class = "native"
c.NativeAuthenticator.open_signup = False  # every new account waits for the teacher's approval
c.NativeAuthenticator.check_common_password = True
c.NativeAuthenticator.minimum_password_length = 10
c.NativeAuthenticator.allowed_failed_logins = 5
c.NativeAuthenticator.seconds_before_next_try = 300
c.Authenticator.admin_users = {
    name.strip() for name in os.environ.get("RNN_BOOK_HUB_ADMINS", "").split(",") if name.strip()
}
allowed_file = os.environ.get("RNN_BOOK_HUB_ALLOWED", "")
if allowed_file:
    c.Authenticator.allowed_users = {
        line.strip()
        for line in Path(allowed_file).read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
else:
    # approved sign-ups are the allow-list (NativeAuthenticator checks approval at login)
    c.Authenticator.allow_all = True

# ---- students' servers: one system user each, with measured limits
c.JupyterHub.spawner_class = "systemd"
c.SystemdSpawner.dynamic_users = True
c.SystemdSpawner.mem_limit = "1536M"  # deploy/README.md: heaviest chapter x2 kernels + server, x1.5
c.SystemdSpawner.cpu_limit = 1.0
c.SystemdSpawner.isolate_tmp = True
c.SystemdSpawner.isolate_devices = True
c.Spawner.cmd = [str(venv_bin / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}

# ---- cull idle servers (frees memory when students leave without logging out)
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [str(venv_bin / "python"), "-m", "jupyterhub_idle_culler", "--timeout=3600"],
    }
]
