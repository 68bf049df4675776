"""Imports a benchmark peer from the asset venv, installing it there first with its pinned fetch script."""
import importlib
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def import_peer(assets, modules, fetch_script):
    """The first of `modules` after importing all of them; when one is missing and this is the asset venv's
    Python (<assets>/venv), runs Scripts/`fetch_script` (pinned versions and sha256s) and imports again."""
    def load():
        loaded = [importlib.import_module(m) for m in modules]
        return loaded[0]
    try:
        return load()
    except ImportError:
        pass
    venv = os.path.join(assets, "venv")
    if os.path.realpath(sys.prefix) != os.path.realpath(venv):
        sys.exit("%s not installed for %s: run Scripts/%s, then this script with %s/bin/python"
                 % ("/".join(modules), sys.executable, fetch_script, venv))
    subprocess.run([os.path.join(HERE, fetch_script)], check=True)
    importlib.invalidate_caches()
    return load()
