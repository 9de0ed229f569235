"""Plugin options read through RecBole's API (no configs/overall.yaml loaded) take that file's
defaults, and values a config has always win; the config itself is left as it is."""
import yaml
from recbole.config import Config

import recbole_ctx  # noqa: F401  (installs the plugin's config hooks)
from recbole_ctx.utils.paths import CONFIG_DIR
from recbole_ctx.utils.plugin_defaults import plugin_option


def test_absent_plugin_keys_read_the_yaml_defaults_and_set_keys_win():
    overall = yaml.safe_load((CONFIG_DIR / "overall.yaml").read_text())
    config = Config(model="BPR", dataset="ml-100k", config_dict={"eval_block_bytes": 1024, "fast_eval": False})
    assert "eval_neg_sampler" not in config  # RecBole's API alone never reads the plugin's yaml

    assert plugin_option(config, "eval_neg_sampler") == overall["eval_neg_sampler"] == "uniform"
    assert plugin_option(config, "eval_neg_pool_rows") == overall["eval_neg_pool_rows"] == 1
    assert plugin_option({}, "fast_eval") is overall["fast_eval"] is True
    assert plugin_option(config, "fast_eval") is False
    assert plugin_option(config, "eval_block_bytes") == 1024 != overall["eval_block_bytes"]
    assert "eval_neg_sampler" not in config
