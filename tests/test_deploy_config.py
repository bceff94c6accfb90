"""The deployment configurations a teacher ships are safe; the test-only one stays local.

Every JupyterHub configuration under ``deploy/`` (``*config*.py``, loaded with traitlets as
JupyterHub loads it) and every Zero to JupyterHub values file (``deploy/**/*.yaml``) is checked:

- no dummy (any-password) or null authenticator, and some real authenticator is chosen;
- access is restricted: an allow-list, or sign-up that needs an admin's approval;
- if it listens on a public address (``0.0.0.0``, ``::``, empty, or any non-loopback address),
  TLS is on: a certificate and key (one server), or HTTPS on the proxy (Kubernetes).

``deploy/test/`` holds the configuration of the local test hub (DummyAuthenticator): it is
excluded from the shipped set, and checked to listen on 127.0.0.1 only. The checks themselves
are tested on bad configurations, so a broken checker cannot pass vacuously.
"""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from conftest import REPO_ROOT, _missing
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

DEPLOY = REPO_ROOT / "deploy"
TEST_ONLY = DEPLOY / "test"
DUMMY = {"dummy", "dummyauthenticator", "jupyterhub.auth.dummyauthenticator"}
NULL = {"null", "nullauthenticator", "jupyterhub.auth.nullauthenticator"}
# values that need secrets or paths the teacher supplies; harmless stand-ins for loading
ENV_FOR_LOADING = {
    "RNN_BOOK_HUB_ADMINS": "teacher",
    "RNN_BOOK_HUB_TLS_CERT": "/etc/tls/cert.pem",
    "RNN_BOOK_HUB_TLS_KEY": "/etc/tls/key.pem",
}


def _shipped(pattern: str) -> list[Path]:
    return sorted(
        p
        for p in DEPLOY.rglob(pattern)
        if TEST_ONLY not in p.parents and "node_modules" not in p.parts
    )


def load_hub_config(path: Path, env: dict[str, str] | None = None) -> Config:
    """Load a jupyterhub_config.py the way JupyterHub does (``c = get_config()``)."""
    old = dict(os.environ)
    os.environ.update(ENV_FOR_LOADING if env is None else env)
    try:
        loader = PyFileConfigLoader(path.name, path=str(path.parent))
        return loader.load_config()
    finally:
        os.environ.clear()
        os.environ.update(old)


def _authenticator_name(value) -> str:
    if isinstance(value, type):
        value = f"{value.__module__}.{value.__name__}"
    return str(value or "").strip().lower()


def _is_public(host: str) -> bool:
    host = (host or "").strip("[]")
    if host in ("", "*"):
        return True
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:  # a DNS name: assume it is reachable
        return True


def hub_config_problems(cfg: Config) -> list[str]:
    """What makes a JupyterHub (traitlets) config unsafe to ship; empty when it is fine."""
    problems = []
    jh = cfg.get("JupyterHub", {})
    auth = _authenticator_name(jh.get("authenticator_class", ""))
    if not auth:
        problems.append(
            "no authenticator_class (the default PAM one is not what the guide deploys)"
        )
    elif auth in DUMMY or auth.endswith("dummyauthenticator"):
        problems.append(f"dummy authenticator enabled: {auth!r}")
    elif auth in NULL:
        problems.append(f"null authenticator enabled: {auth!r}")
    if "DummyAuthenticator" in cfg:
        problems.append("DummyAuthenticator is configured")
    # who may log in: an allow-list, or admin-approved sign-up (NativeAuthenticator)
    allowed = cfg.get("Authenticator", {}).get("allowed_users") or any(
        cfg.get(section, {}).get(key)
        for section in cfg
        for key in ("allowed_users", "allowed_organizations", "allowed_groups", "allowed_teams")
    )
    native = auth in ("native", "nativeauthenticator.nativeauthenticator")
    approval = native and cfg.get("NativeAuthenticator", {}).get("open_signup", False) is False
    if not (allowed or approval):
        problems.append("neither an allow-list nor admin-approved sign-up restricts who logs in")
    # where it listens, and TLS
    if "bind_url" in jh:
        parts = urlsplit(jh["bind_url"])
        host, scheme = parts.hostname or "", parts.scheme
    else:
        host, scheme = jh.get("ip", ""), "http"  # JupyterHub's default ip '' means all addresses
    tls = bool(jh.get("ssl_cert")) and bool(jh.get("ssl_key"))
    if _is_public(host) and not tls:
        problems.append(f"listens publicly on {host or 'all addresses'!r} without ssl_cert/ssl_key")
    if scheme == "https" and not tls:
        problems.append("bind_url is https but ssl_cert/ssl_key are not both set")
    return problems


def z2jh_problems(values: dict) -> list[str]:
    """What makes Zero to JupyterHub helm values unsafe to ship; empty when they are fine."""
    problems = []
    hub_config = Config((values.get("hub") or {}).get("config") or {})
    # authenticator and access as for one server; listening is the proxy's business below
    for problem in hub_config_problems(hub_config):
        if not problem.startswith(("listens", "bind_url")):
            problems.append(problem)
    extra = "\n".join(str(v) for v in ((values.get("hub") or {}).get("extraConfig") or {}).values())
    if "dummy" in extra.lower():
        problems.append("hub.extraConfig mentions a dummy authenticator")
    proxy = values.get("proxy") or {}
    https = proxy.get("https") or {}
    service_type = (proxy.get("service") or {}).get("type", "LoadBalancer")  # the chart default
    ingress = values.get("ingress") or {}
    ingress_tls = bool(ingress.get("enabled")) and bool(ingress.get("tls"))
    proxy_tls = bool(https.get("enabled")) and (
        https.get("type", "letsencrypt") in ("letsencrypt", "manual", "secret", "offload")
    )
    public = service_type in ("LoadBalancer", "NodePort") or bool(ingress.get("enabled"))
    if public and not (proxy_tls or ingress_tls):
        problems.append(f"public proxy (service {service_type}) without HTTPS or a TLS ingress")
    letsencrypt = https.get("enabled") and https.get("type", "letsencrypt") == "letsencrypt"
    if letsencrypt and not https.get("hosts"):
        problems.append("proxy.https (letsencrypt) enabled without hosts")
    return problems


# ---------------------------------------------------------------- the shipped configurations
HUB_CONFIGS = _shipped("*config*.py")
Z2JH_VALUES = _shipped("*.yaml") + _shipped("*.yml")


def test_there_are_shipped_configurations():
    assert DEPLOY / "jupyterhub_config.py" in HUB_CONFIGS
    assert DEPLOY / "z2jh" / "config.yaml" in Z2JH_VALUES


@pytest.mark.parametrize("path", HUB_CONFIGS, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_shipped_hub_config_is_safe(path):
    assert hub_config_problems(load_hub_config(path)) == []


@pytest.mark.parametrize("path", Z2JH_VALUES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_shipped_z2jh_values_are_safe(path):
    values = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert z2jh_problems(values) == []


def test_z2jh_values_limit_and_cull():
    values = yaml.safe_load((DEPLOY / "z2jh" / "config.yaml").read_text(encoding="utf-8"))
    single = values["singleuser"]
    assert single["memory"]["guarantee"] and single["memory"]["limit"]
    assert single["cpu"]["guarantee"] and single["cpu"]["limit"]
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] > 0


def test_test_only_config_listens_on_localhost_only():
    env = {
        "RNN_BOOK_HUB_STATE": "/nonexistent",
        "RNN_BOOK_HUB_PORT": "8000",
        "RNN_BOOK_HUB_API_PORT": "8001",
        "RNN_BOOK_PROXY_API_PORT": "8002",
    }
    cfg = load_hub_config(TEST_ONLY / "jupyterhub_config.py", env)
    jh = cfg["JupyterHub"]
    assert urlsplit(jh["bind_url"]).hostname == "127.0.0.1"
    assert jh["hub_ip"] == "127.0.0.1"
    assert urlsplit(cfg["ConfigurableHTTPProxy"]["api_url"]).hostname == "127.0.0.1"
    assert cfg["Spawner"]["ip"] == "127.0.0.1"
    # it IS the dummy one: that is why it must never be shipped
    assert any("dummy authenticator" in p for p in hub_config_problems(cfg))


# ---------------------------------------------------------------- the checker catches bad ones
def _good_hub() -> Config:
    return load_hub_config(DEPLOY / "jupyterhub_config.py")


def _set(section: str, **values):
    def change(cfg: Config) -> None:
        for key, value in values.items():
            cfg[section][key] = value

    return change


@pytest.mark.parametrize(
    "change, expected",
    [
        (_set("JupyterHub", authenticator_class="dummy"), "dummy"),
        (_set("JupyterHub", authenticator_class="jupyterhub.auth.DummyAuthenticator"), "dummy"),
        (_set("JupyterHub", authenticator_class="null"), "null"),
        (_set("JupyterHub", ssl_cert=""), "without ssl_cert"),
        (_set("JupyterHub", bind_url="http://:8000/", ssl_cert="", ssl_key=""), "without ssl"),
        (_set("JupyterHub", bind_url="http://192.0.2.7:80/", ssl_key=""), "without ssl"),
        (_set("NativeAuthenticator", open_signup=True), "allow-list"),
    ],
)
def test_checker_rejects_unsafe_hub_configs(change, expected):
    cfg = _good_hub()
    assert hub_config_problems(cfg) == []
    change(cfg)
    problems = hub_config_problems(cfg)
    assert any(expected in p for p in problems), problems


def test_checker_accepts_localhost_without_tls():
    cfg = _good_hub()
    cfg.JupyterHub.bind_url = "http://127.0.0.1:8000/"
    cfg.JupyterHub.ssl_cert = cfg.JupyterHub.ssl_key = ""
    assert hub_config_problems(cfg) == []


def test_checker_rejects_unsafe_z2jh_values():
    good = yaml.safe_load((DEPLOY / "z2jh" / "config.yaml").read_text(encoding="utf-8"))
    assert z2jh_problems(good) == []
    bad = yaml.safe_load((DEPLOY / "z2jh" / "config.yaml").read_text(encoding="utf-8"))
    bad["hub"]["config"]["JupyterHub"]["authenticator_class"] = "dummy"
    assert any("dummy" in p for p in z2jh_problems(bad))
    bad = yaml.safe_load((DEPLOY / "z2jh" / "config.yaml").read_text(encoding="utf-8"))
    bad["proxy"]["https"]["enabled"] = False
    assert any("without HTTPS" in p for p in z2jh_problems(bad))
    bad = yaml.safe_load((DEPLOY / "z2jh" / "config.yaml").read_text(encoding="utf-8"))
    bad["hub"]["config"]["NativeAuthenticator"]["open_signup"] = True
    assert any("allow-list" in p for p in z2jh_problems(bad))


# ---------------------------------------------------------------- limits from the measurements
def _measure_module():
    import importlib.util

    path = REPO_ROOT / "scripts" / "measure_chapter_resources.py"
    spec = importlib.util.spec_from_file_location("measure_chapter_resources", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_limits_and_sizing_table_come_from_the_measurements():
    measure = _measure_module()
    data = json.loads(measure.RESULTS.read_text(encoding="utf-8"))
    sizing = measure.sizing(data)
    measured_pages = {p["page"] for p in data["pages"]}
    # every measured page exists (a chapter added later is measured when the script is rerun:
    # `OPENBLAS_NUM_THREADS=1 python scripts/measure_chapter_resources.py`)
    assert measured_pages and all((REPO_ROOT / page).is_file() for page in measured_pages)
    # the generated table is the one in deploy/README.md
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    assert measure.sizing_table() in readme, "rerun scripts/measure_chapter_resources.py --table"
    # the shipped limits are the computed ones
    values = yaml.safe_load((DEPLOY / "z2jh" / "config.yaml").read_text(encoding="utf-8"))
    single = values["singleuser"]
    assert single["memory"]["guarantee"] == f"{sizing['mem_guarantee_mib']}M"
    assert single["memory"]["limit"] == f"{sizing['mem_limit_mib']}M"
    assert single["cpu"]["guarantee"] == sizing["cpu_guarantee"]
    assert single["cpu"]["limit"] == sizing["cpu_limit"]
    one_server = load_hub_config(DEPLOY / "jupyterhub_config.py")
    assert one_server.SystemdSpawner.mem_limit == f"{sizing['mem_limit_mib']}M"
    assert one_server.SystemdSpawner.cpu_limit == sizing["cpu_limit"]


def test_shipped_hub_config_names_installed_classes():
    """The single-server config's authenticator, spawner and culler exist in .venv-hub."""
    hub_python = REPO_ROOT / ".venv-hub" / "bin" / "python"
    if not hub_python.exists():
        _missing("the classroom hub is not installed; run `bash deploy/install_hub.sh`")
    code = textwrap.dedent(
        """
        import sys
        from jupyterhub.app import JupyterHub
        from traitlets.config.loader import PyFileConfigLoader
        cfg = PyFileConfigLoader("jupyterhub_config.py", path=sys.argv[1]).load_config()
        app = JupyterHub(config=cfg)
        print(app.authenticator_class.__name__, app.spawner_class.__name__)
        import jupyterhub_idle_culler
        """
    )
    env = {**os.environ, **ENV_FOR_LOADING}
    env.pop("PYTHONPATH", None)
    out = subprocess.run(
        [str(hub_python), "-c", code, str(DEPLOY)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split() == ["NativeAuthenticator", "SystemdSpawner"]
