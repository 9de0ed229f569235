"""RecBole's dataset build no longer warns about read-only NumPy arrays (torch warns once per
process, so the check runs in a fresh one)."""
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import recbole_ctx
    from recbole.config import Config
    from recbole.data import create_dataset, data_preparation
    config = Config(model="BPR", dataset="ml-100k", config_dict={"state": "ERROR", "show_progress": False})
    data_preparation(config, create_dataset(config))
""")


def test_dataset_build_is_quiet_about_read_only_arrays(tmp_path):
    proc = subprocess.run([sys.executable, "-W", "default", "-c", SCRIPT], capture_output=True, text=True,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "not writable" not in proc.stderr
