"""Trainer adapters for ``rlaudit serve-reward`` (standard library only).

- :class:`RewardServiceClient`: sends batches of sessions, returns the service's answers; resends on
  connection errors and 5xx (a resent batch is answered from the service's store, never stored twice).
- :class:`TRLRewardFunction`: a TRL ``reward_funcs`` entry wrapping your own reward function.
- :class:`VerlRewardManager`: a verl reward manager wrapping verl's ``compute_score``.

See docs/integrations.md in the rlaudit repository for complete examples.
"""

from .client import RewardServiceClient, RewardServiceError
from .trl import TRLRewardFunction
from .verl import VerlRewardManager

__all__ = ["RewardServiceClient", "RewardServiceError", "TRLRewardFunction", "VerlRewardManager"]
