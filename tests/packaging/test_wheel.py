"""The built wheel works from anywhere: in a fresh virtual environment outside the checkout, the mock's
console script serves, and one command runs the contract suite against it by URL with JUnit out. It
installs one import name, so a project with its own ``mocks`` package keeps its pytest working.

What a service team does with the package, done here for real: ``uv build`` the wheel, install it
(with the locked dependencies) into a new venv in a temporary folder, and run both commands there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

from oauth2_token_contract.mock.processes import read_announcement, running_group
from oauth2_token_contract.spec import contract
from selfcheck.suite_run import ROOT

EXAMPLE = contract.load().request_examples()["clientCredentials"]
DEADLINE = 600


def _uv() -> str:
    found = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    if not Path(found).exists():
        pytest.skip("uv is not installed (it comes with the dev requirements)")
    return found


def _run(*command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=DEADLINE, check=False)
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv outside the checkout with the built wheel installed: its bin folder."""
    where = tmp_path_factory.mktemp("wheel")
    uv = _uv()
    # From a copy of what git tracks: a build/ folder left in the checkout would ship stale modules.
    source = where / "source"
    tracked = _run("git", "ls-files", "-z", cwd=ROOT).stdout.split("\0")
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    _run(uv, "build", "--wheel", "--out-dir", str(where / "dist"), str(source), cwd=where)
    wheel = next((where / "dist").glob("*.whl"))
    python = getattr(sys, "_base_executable", sys.executable)
    _run(python, "-m", "venv", str(where / "venv"), cwd=where)
    venv_python = str(where / "venv" / "bin" / "python")
    locked = str(ROOT / "requirements" / "contract.txt")
    _run(
        uv, "pip", "install", "--quiet", "--python", venv_python, "--require-hashes", "-r", locked, cwd=where
    )
    before = _site_packages(where / "venv")
    _run(uv, "pip", "install", "--quiet", "--python", venv_python, "--no-deps", str(wheel), cwd=where)
    (where / "added.txt").write_text("\n".join(sorted(_site_packages(where / "venv") - before)))
    return where / "venv" / "bin"


def _site_packages(venv: Path) -> set[str]:
    """The names in the venv's site-packages: what an install adds there is what it can shadow."""
    (folder,) = venv.glob("lib/python*/site-packages")
    return {entry.name for entry in folder.iterdir()}


def _clean_env(bin_dir: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without the checkout on any path, the venv's bin first."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOKEN_API_", "PYTEST_", "PYTHONPATH"))}
    return {**env, "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", **extra}


def test_the_mock_serves_and_the_suite_runs_against_it_from_an_installed_wheel(
    installed: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "a-service-repository"
    elsewhere.mkdir()
    serve = [str(installed / "token-contract-mock"), "serve", "--port", "0"]
    with running_group(serve, cwd=elsewhere, stdout=subprocess.PIPE, env=_clean_env(installed)) as server:
        url = read_announcement(server, 30)
        answer = httpx.post(
            url + "/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=(EXAMPLE["client_id"], EXAMPLE["client_secret"]),
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        junit = elsewhere / "token-contract.xml"
        env = _clean_env(
            installed,
            TOKEN_API_CLIENT_ID=EXAMPLE["client_id"],
            TOKEN_API_CLIENT_SECRET=EXAMPLE["client_secret"],
            TOKEN_API_SCOPE="/accounts.read /accounts.write",
            TOKEN_API_ALLOW_BURST="1",
        )
        command = [str(installed / "token-contract"), "run", "--target", url, "--junitxml", str(junit)]
        done = subprocess.run(
            command, cwd=elsewhere, env=env, capture_output=True, text=True, timeout=DEADLINE, check=False
        )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert "token contract summary" in output
    cases = list(ET.parse(junit).getroot().iter("testcase"))
    assert len(cases) > 50, f"only {len(cases)} test cases in the JUnit file"
    assert str(ROOT) not in output, "the run used the checkout, not the installed package"


def test_the_wheel_adds_exactly_one_import_name(installed: Path) -> None:
    added = (installed.parent.parent / "added.txt").read_text().split()
    importable = sorted(n for n in added if not n.endswith((".dist-info", ".pth")) and n != "__pycache__")
    assert importable == ["oauth2_token_contract"], added


def test_a_project_with_its_own_mocks_package_runs_its_tests_with_the_plugin_loaded(
    installed: Path, tmp_path: Path
) -> None:
    """``mocks`` is a common folder name; the plugin loads in every pytest run of the environment."""
    project = tmp_path / "a-client-library"
    (project / "mocks").mkdir(parents=True)
    (project / "mocks" / "__init__.py").write_text("GREETING = 'ours'\n")
    (project / "test_client.py").write_text(
        "import httpx\n"
        "from mocks import GREETING\n\n\n"
        "def test_own_mocks_and_our_fixture(token_mock):\n"
        "    assert GREETING == 'ours'\n"
        "    client_id, secret = token_mock.credentials\n"
        "    answer = httpx.post(token_mock.token_url, data={'grant_type': 'client_credentials'},\n"
        "                        auth=(client_id, secret), timeout=10)\n"
        "    assert answer.status_code == 200, answer.text\n"
    )
    done = subprocess.run(
        [str(installed / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=_clean_env(installed),
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert "1 passed" in output, output[-2000:]


def test_every_package_folder_is_listed_for_the_wheel() -> None:
    """The package list is explicit (the data folders are mapped): a new subpackage must join it."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "oauth2_token_contract").rglob("__init__.py")
    }
    assert found - listed == set(), "add to [tool.setuptools] packages"
    # Only the data folders are mapped (tests/test_layers.py keeps code out of them).
    assert set(setuptools["package-dir"]) == {
        "oauth2_token_contract.openapi",
        "oauth2_token_contract.mock.assets",
    }
