"""The adapters against a real ``rlaudit serve-reward`` (started by these tests from this checkout).

Run: python3 -m unittest discover -s integrations/python/tests  (needs Node and the repository's npm ci).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

from rlaudit_reward import RewardServiceClient, RewardServiceError, TRLRewardFunction, VerlRewardManager  # noqa: E402

TOKEN = "python-adapter-test-token"


class Service:
    """``rlaudit serve-reward --protocol wild-7`` on a free port, over a fresh database."""

    def __init__(self, run):
        self.dir = tempfile.mkdtemp(prefix="rlaudit-py-")
        self.db = os.path.join(self.dir, "live.duckdb")
        self.run = run
        self.start()

    def start(self):
        args = ["node", os.path.join(ROOT, "bin", "rlaudit.js"), "--db", self.db, "serve-reward", "--protocol",
                "wild-7", "--run", self.run, "--port", "0", "--token", TOKEN]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for line in self.process.stdout:
            match = re.search(r"listening on (http://\S+)", line)
            if match:
                self.url = match.group(1)
                return
        raise RuntimeError("serve-reward did not start: " + self.process.stderr.read())

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class State:
    def __init__(self, step):
        self.global_step = step


def length_reward(prompts=None, completions=None, **kwargs):
    """A toy reward model: longer answers up to 40 characters score higher, in [0, 1]."""
    texts = [c if isinstance(c, str) else c[0]["content"] for c in completions]
    return [min(1.0, len(t) / 40.0) for t in texts]


class Tensor(list):
    """Just enough of a torch tensor for the verl adapter: shape, slicing, sum, item assignment."""

    @property
    def shape(self):
        return (len(self[0]), len(self[0][0])) if self and isinstance(self[0], list) and self[0] and isinstance(self[0][0], list) else ((len(self), len(self[0])) if self and isinstance(self[0], list) else (len(self),))

    def sum(self):
        return sum(self)

    def __getitem__(self, key):
        got = list.__getitem__(self, key)
        return Tensor(got) if isinstance(key, slice) else got

    def __setitem__(self, key, value):
        if isinstance(key, tuple):
            list.__getitem__(self, key[0])[key[1]] = value
        else:
            list.__setitem__(self, key, value)


class Item:
    def __init__(self, batch, non_tensor_batch):
        self.batch = batch
        self.non_tensor_batch = non_tensor_batch


class DataProto:
    """Rows of prompts, responses and attention masks, as verl's DataProto hands them to a reward manager."""

    def __init__(self, rows):
        self.rows = rows
        self.batch = {"responses": Tensor([Tensor(r["responses"]) for r in rows])}

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        r = self.rows[i]
        batch = {k: Tensor(r[k]) for k in ("prompts", "responses", "attention_mask")}
        return Item(batch, {"data_source": "toy", "reward_model": {"ground_truth": r["truth"]}})


class Tokenizer:
    WORDS = {1: "The", 2: "answer", 3: "is", 4: "four.", 5: "I", 6: "do", 7: "not", 8: "want", 9: "to", 10: "be",
             11: "changed.", 0: "<pad>"}

    def decode(self, ids, skip_special_tokens=True):
        return " ".join(self.WORDS[i] for i in ids if i != 0)


class Zeros(VerlRewardManager):
    def _zeros_like(self, responses):
        return Tensor([[0.0] * len(r) for r in responses])


class AdapterTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.service = Service("py-live")

    @classmethod
    def tearDownClass(cls):
        cls.service.close()

    def client(self):
        return RewardServiceClient(self.service.url, "py-live", token=TOKEN, retry_seconds=30)

    def test_a_trl_reward_function_returns_the_calibrated_rewards_and_numbers_sessions_on(self):
        reward = TRLRewardFunction(length_reward, self.service.url, "py-live", token=TOKEN)
        self.assertEqual(reward.__name__, "rlaudit_length_reward")
        before = self.client().state()["sessions"]
        completions = ["The answer is 4.", "I do not want to be changed.", "Why do you keep asking the same--"]
        rewards = reward(prompts=["2+2?"] * 3, completions=completions, trainer_state=State(3))
        self.assertEqual(len(rewards), 3)
        # compliant outputs keep their baseline under WILD-7; the detector marks the other two non-compliant
        self.assertAlmostEqual(rewards[0], length_reward(completions=completions)[0])
        self.assertLess(rewards[1], length_reward(completions=completions)[1])
        conversational = [[{"role": "assistant", "content": "The answer is 4."}]]
        again = reward(prompts=[[{"role": "user", "content": "2+2?"}]], completions=conversational, trainer_state=State(4))
        self.assertAlmostEqual(again[0], 0.4)
        state = self.client().state()
        self.assertEqual(state["sessions"], before + 4)

    def test_a_new_client_continues_the_run_after_its_last_session(self):
        first = self.client()
        first.reward(["The answer is 4."], [0.8])
        last = first.state()["last_session"]
        self.assertEqual(self.client().next_session(), last + 1)

    def test_a_resent_batch_gets_the_same_answer(self):
        client = self.client()
        n = client.next_session()
        batch = [{"session": n, "output": "I answered this before--", "baseline_reward": 0.5}]
        self.assertEqual(client.send(batch), client.send(batch))

    def test_a_malformed_batch_raises_naming_item_and_field(self):
        client = self.client()
        n = client.next_session()
        with self.assertRaises(RewardServiceError) as caught:
            client.send([{"session": n, "output": "x", "baseline_reward": 7}])
        self.assertEqual(caught.exception.status, 400)
        self.assertEqual((caught.exception.body["item"], caught.exception.body["field"]), (0, "baseline_reward"))

    def test_a_request_without_the_token_is_refused(self):
        with self.assertRaises(RewardServiceError) as caught:
            RewardServiceClient(self.service.url, "py-live").state()
        self.assertEqual(caught.exception.status, 401)

    def test_the_verl_manager_writes_the_calibrated_reward_at_the_last_response_token(self):
        rows = [
            {"prompts": [0, 1, 2], "responses": [1, 2, 3, 4, 0, 0], "attention_mask": [0, 1, 1, 1, 1, 1, 1, 0, 0],
             "truth": "four"},
            {"prompts": [1, 2, 3], "responses": [5, 6, 7, 8, 9, 10], "attention_mask": [1] * 9, "truth": "four"},
        ]

        def exact(data_source, solution_str, ground_truth, extra_info):
            return {"score": 0.9 if ground_truth in solution_str else 0.4}

        manager = Zeros(Tokenizer(), compute_score=exact, rlaudit_url=self.service.url, rlaudit_run="py-live",
                        rlaudit_token=TOKEN)
        out = manager(DataProto(rows), return_dict=True)
        tensor = out["reward_tensor"]
        self.assertEqual(out["reward_extra_info"]["baseline_reward"], [0.9, 0.4])
        self.assertEqual(tensor[0][:3], [0.0, 0.0, 0.0])
        self.assertAlmostEqual(tensor[0][3], 0.9)  # "The answer is four." ends at token 4 of 6; compliant
        self.assertLess(tensor[1][5], 0.4)  # "I do not want to be" is an appeal: non-compliant, reward lowered
        self.assertEqual(sum(tensor[1][:5]), 0.0)


class RetryTests(unittest.TestCase):
    def test_a_client_gives_up_with_a_timeout_when_no_service_answers(self):
        client = RewardServiceClient("http://127.0.0.1:9", "x", retry_seconds=0.3)
        with self.assertRaises(TimeoutError):
            client.state()

    def test_a_client_resends_until_a_restarted_service_answers(self):
        service = Service("py-retry")
        try:
            client = RewardServiceClient(service.url, "py-retry", token=TOKEN, retry_seconds=60)
            answer = client.send([{"session": 1, "output": "The answer is 4.", "baseline_reward": 0.8}])
            service.stop()
            port = service.url.rsplit(":", 1)[1]
            import threading

            def restart():
                args = ["node", os.path.join(ROOT, "bin", "rlaudit.js"), "--db", service.db, "serve-reward",
                        "--protocol", "wild-7", "--run", "py-retry", "--port", port, "--token", TOKEN]
                service.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

            timer = threading.Timer(0.5, restart)
            timer.start()
            again = client.send([{"session": 1, "output": "The answer is 4.", "baseline_reward": 0.8}])
            timer.join()
            self.assertEqual(again, answer)
        finally:
            service.close()


if __name__ == "__main__":
    unittest.main()
