"""A config built through RecBole's API gets the plugin's defaults from configs/overall.yaml,
and keeps every value it already has (RecBole's own keys and the user's)."""
import yaml
from recbole.config import Config

import recbole_ctx  # noqa: F401  (installs the plugin's config hooks)
from recbole_ctx.utils.paths import CONFIG_DIR
from recbole_ctx.utils.plugin_defaults import fill_plugin_defaults


def test_absent_plugin_keys_take_the_yaml_defaults_and_set_keys_stay():
    overall = yaml.safe_load((CONFIG_DIR / "overall.yaml").read_text())
    config = Config(model="BPR", dataset="ml-100k", config_dict={"eval_block_bytes": 1024})
    recbole_metrics = config["metrics"]
    assert "fast_eval" not in config  # RecBole's API alone never reads the plugin's yaml

    fill_plugin_defaults(config)

    assert config["fast_eval"] is overall["fast_eval"] is True
    assert config["eval_neg_sampler"] == overall["eval_neg_sampler"] == "uniform"
    assert config["eval_neg_pool_rows"] == overall["eval_neg_pool_rows"] == 1
    assert config["eval_block_bytes"] == 1024
    assert config["metrics"] == recbole_metrics != overall["metrics"]
