"""A sequential model with a cross-entropy loss gets no training negatives by default.

RecBole 1.2.1's ``overall.yaml`` sets ``train_neg_sample_args`` (one uniform negative)
for every model, and ``Config._set_default_parameters`` (configurator.py:342-352) then
refuses that same default for every sequential model whose ``loss_type`` is ``CE``
(Caser, LightSANs, GRU4Rec, SASRec, ... 27 models): ``run_recbole --model=Caser``
stopped with "train_neg_sample_args [...] should be None when the loss_type is CE".
One rule replaces the per-model yaml files that used to fix it model by model: when
no source of the user's (config files, ``config_dict``, command line) names
``train_neg_sample_args``, such a model gets ``None``.  Set explicitly, RecBole's
check stands.
"""
from __future__ import annotations

_original_set_default_parameters = None


def needs_no_negatives(config) -> bool:
    """RecBole would refuse its own default negatives for this config (CE-loss sequential model)."""
    from recbole.utils import ModelType

    final = config.final_config_dict
    return (final.get("MODEL_TYPE") == ModelType.SEQUENTIAL and final.get("loss_type") == "CE"
            and not hasattr(config.model_class, "input_type")  # RecBole checks only these (line 340)
            and "train_neg_sample_args" not in config.external_config_dict)


def set_default_parameters(self) -> None:
    """Wraps ``Config._set_default_parameters``: applies the rule before RecBole's check."""
    if needs_no_negatives(self):
        self.final_config_dict["train_neg_sample_args"] = None
    _original_set_default_parameters(self)


def apply() -> None:
    global _original_set_default_parameters
    from recbole.config.configurator import Config

    if _original_set_default_parameters is None:
        _original_set_default_parameters = Config._set_default_parameters
    Config._set_default_parameters = set_default_parameters
