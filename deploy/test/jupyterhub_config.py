# TEST AND LOCAL TRIAL ONLY -- NEVER DEPLOY THIS FILE.
#
# JupyterHub configuration of the local classroom hub that deploy/local_hub.py starts (for
# tests/test_classroom_hub.py and for a teacher trying the setup on a laptop):
# - DummyAuthenticator: ANY user name with ANY password logs in;
# - SimpleLocalProcessSpawner: every student's server runs as the user running the hub, with a
#   home folder under the hub's state folder (no isolation between students);
# - everything (hub, proxy, student servers) listens on 127.0.0.1 only, on ports chosen by
#   local_hub.py, so nothing is reachable from another machine.
# tests/test_deploy_config.py excludes deploy/test/ from the shipped configurations and checks
# that this one keeps to 127.0.0.1. The configuration a teacher deploys is
# deploy/jupyterhub_config.py (one server) or deploy/z2jh/config.yaml (Kubernetes).
#
# local_hub.py passes its choices in environment variables:
#   RNN_BOOK_HUB_STATE  folder for the database, cookie secret and the students' homes
#   RNN_BOOK_HUB_PORT, RNN_BOOK_HUB_API_PORT, RNN_BOOK_PROXY_API_PORT  free ports on 127.0.0.1
#   RNN_BOOK_HUB_ID     a marker put into every student server's environment (and so its
#                       kernels'), by which local_hub.py finds leftover processes
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

LOCALHOST = "127.0.0.1"
deploy = Path(__file__).resolve().parent.parent
state = Path(os.environ["RNN_BOOK_HUB_STATE"])
bin_dir = Path(sys.executable).parent  # .venv-hub/bin: the hub and the students share the env

c.JupyterHub.bind_url = f"http://{LOCALHOST}:{os.environ['RNN_BOOK_HUB_PORT']}/"
c.JupyterHub.hub_ip = LOCALHOST
c.JupyterHub.hub_port = int(os.environ["RNN_BOOK_HUB_API_PORT"])
c.ConfigurableHTTPProxy.api_url = f"http://{LOCALHOST}:{os.environ['RNN_BOOK_PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.command = [
    str(deploy / "node_modules" / ".bin" / "configurable-http-proxy")
]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# Any password (test only), any user name.
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(state / "home" / "{username}")
c.Spawner.ip = LOCALHOST
c.Spawner.cmd = [str(bin_dir / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.Spawner.environment = {
    "RNN_BOOK_HUB_ID": os.environ.get("RNN_BOOK_HUB_ID", ""),
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "PATH": f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
}
if os.geteuid() == 0:  # CI runs as root; Jupyter refuses root without this flag
    c.Spawner.args = ["--allow-root"]
