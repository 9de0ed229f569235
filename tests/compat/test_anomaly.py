import torch

import recbole_ctx  # noqa: F401


def test_anomaly_detection_switched_on_by_recbole_import_is_off():
    import recbole.model.sequential_recommender  # noqa: F401

    assert not torch.is_anomaly_enabled()
