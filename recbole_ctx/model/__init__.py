"""Plugin models, registered by name (see ``recbole_ctx.utils.registry``).

Add a model here with its module and RecBole model type; its class must carry
the registered name.  ContextGNN, NBFNet and ShallowItem train with RecBole's own
``Trainer``; their batches come from the loaders of ``recbole_ctx.data.subgraph_loader``
(``recbole_ctx.data.recbole_dataloaders``).
"""
from recbole.utils import ModelType

from recbole_ctx.utils.registry import register_model

register_model("ContextGNN", "recbole_ctx.model.contextgnn", ModelType.GENERAL)
register_model("NBFNet", "recbole_ctx.model.nbfnet", ModelType.GENERAL)
register_model("ShallowItem", "recbole_ctx.model.shallowitem", ModelType.GENERAL)
register_model("SRGNNFast", "recbole_ctx.model.srgnnfast", ModelType.SEQUENTIAL,
               trainer="recbole_ctx.trainer.session_trainer:SessionTrainer")
