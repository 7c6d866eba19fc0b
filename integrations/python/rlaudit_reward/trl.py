"""A TRL ``reward_funcs`` adapter.

TRL's GRPOTrainer calls each reward function with keyword arguments: ``prompts``, ``completions``,
``completion_ids``, every extra column of the dataset, and (recent versions) ``trainer_state``; it expects a
list with one float per completion and logs it under the function's ``__name__``. Completions are strings, or
lists of chat messages (``[{"role": "assistant", "content": ...}]``) for conversational datasets.
"""

from .client import RewardServiceClient


def completion_text(completion):
    """The text of a TRL completion: a string, or the concatenated contents of its chat messages."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        return str(completion.get("content", ""))
    return "".join(str(message.get("content", "")) for message in completion)


class TRLRewardFunction:
    """Wraps your reward function (the baseline, in [0, 1]) so that training uses the calibrated reward.

    >>> reward = TRLRewardFunction(my_reward, url="http://127.0.0.1:8787", run="grpo-live")
    >>> trainer = GRPOTrainer(model=..., reward_funcs=[reward], args=..., train_dataset=...)

    Each call sends the batch's completions and baseline rewards to the service as consecutive sessions
    (step = ``trainer_state.global_step`` when TRL passes it) and returns the adjusted rewards. A baseline of
    None (TRL's "not applicable") is refused: the calibration needs a reward for every session.
    """

    def __init__(self, base_reward, url, run, token=None, timeout=30.0, retry_seconds=600.0, client=None):
        self.base_reward = base_reward
        self.client = client or RewardServiceClient(url, run, token=token, timeout=timeout, retry_seconds=retry_seconds)
        self.__name__ = "rlaudit_" + getattr(base_reward, "__name__", "reward")

    def __call__(self, prompts=None, completions=None, **kwargs):
        completions = completions or []
        baselines = self.base_reward(prompts=prompts, completions=completions, **kwargs)
        if len(baselines) != len(completions):
            raise ValueError(
                "%s returned %d rewards for %d completions" % (self.__name__, len(baselines), len(completions))
            )
        for k, b in enumerate(baselines):
            if b is None:
                raise ValueError("%s returned None for completion %d; the calibration needs a reward" % (self.__name__, k))
        state = kwargs.get("trainer_state")
        step = getattr(state, "global_step", None)
        texts = [completion_text(c) for c in completions]
        prompt_texts = [p if isinstance(p, str) else completion_text(p) for p in prompts] if prompts else None
        return self.client.reward(texts, baselines, step=step, prompts=prompt_texts)
