"""A verl reward-manager adapter.

verl builds its reward manager as ``cls(tokenizer=..., num_examine=..., compute_score=..., reward_fn_key=...,
**reward_kwargs)`` and calls ``manager(data, return_dict=False)`` with a ``DataProto`` batch: per row,
``batch["prompts"]``, ``batch["responses"]``, ``batch["attention_mask"]`` and the non-tensor fields
``reward_model.ground_truth``, ``data_source`` (``reward_fn_key``) and ``extra_info``. It expects a
``reward_tensor`` shaped like ``responses`` with each sequence's reward at its last valid response token (or,
with ``return_dict=True``, ``{"reward_tensor": ..., "reward_extra_info": {...}}``).
"""

from .client import RewardServiceClient


class VerlRewardManager:
    """Scores each response with verl's ``compute_score`` (the baseline, in [0, 1]) and writes the calibrated
    reward of ``rlaudit serve-reward`` into the reward tensor instead.

    Configure the service with ``reward_model.reward_kwargs``: ``rlaudit_url``, ``rlaudit_run`` and optionally
    ``rlaudit_token``. torch and verl are imported only when a batch is scored (they are the trainer's).
    """

    def __init__(
        self,
        tokenizer,
        num_examine=0,
        compute_score=None,
        reward_fn_key="data_source",
        rlaudit_url="http://127.0.0.1:8787",
        rlaudit_run=None,
        rlaudit_token=None,
        client=None,
        **kwargs
    ):
        if client is None and rlaudit_run is None:
            raise ValueError("set reward_model.reward_kwargs.rlaudit_run: the rlaudit run the sessions go to")
        self.tokenizer = tokenizer
        self.num_examine = num_examine
        self.compute_score = compute_score
        self.reward_fn_key = reward_fn_key
        self.client = client or RewardServiceClient(rlaudit_url, rlaudit_run, token=rlaudit_token)
        self.step = 0

    def _score(self, data_source, solution_str, ground_truth, extra_info):
        compute = self.compute_score
        if compute is None:
            from verl.utils.reward_score import default_compute_score as compute  # the trainer's own scorer
        score = compute(data_source=data_source, solution_str=solution_str, ground_truth=ground_truth, extra_info=extra_info)
        return float(score["score"] if isinstance(score, dict) else score)

    def _zeros_like(self, responses):
        import torch

        return torch.zeros_like(responses, dtype=torch.float32)

    def __call__(self, data, return_dict=False):
        responses = data.batch["responses"]
        reward_tensor = self._zeros_like(responses)
        texts, prompts, baselines, ends = [], [], [], []
        for i in range(len(data)):
            item = data[i]
            prompt_ids = item.batch["prompts"]
            prompt_length = prompt_ids.shape[-1]
            mask = item.batch["attention_mask"]
            valid_prompt = int(mask[:prompt_length].sum())
            valid_response = int(mask[prompt_length:].sum())
            response_ids = item.batch["responses"][:valid_response]
            text = self.tokenizer.decode(response_ids, skip_special_tokens=True)
            prompt = self.tokenizer.decode(prompt_ids[prompt_length - valid_prompt :], skip_special_tokens=True)
            extra = item.non_tensor_batch
            baselines.append(
                self._score(
                    extra.get(self.reward_fn_key),
                    text,
                    extra.get("reward_model", {}).get("ground_truth"),
                    extra.get("extra_info"),
                )
            )
            texts.append(text)
            prompts.append(prompt)
            ends.append(valid_response - 1)
        adjusted = self.client.reward(texts, baselines, step=self.step, prompts=prompts)
        self.step += 1
        for i, (end, reward) in enumerate(zip(ends, adjusted)):
            if end >= 0:
                reward_tensor[i, end] = reward
        if return_dict:
            return {"reward_tensor": reward_tensor, "reward_extra_info": {"baseline_reward": baselines}}
        return reward_tensor


try:  # registered under the name "rlaudit" when verl is installed
    from verl.workers.reward_manager import register as _register

    VerlRewardManager = _register("rlaudit")(VerlRewardManager)
except Exception:  # noqa: BLE001 - verl absent, or a version without the registry: import the class directly
    pass
