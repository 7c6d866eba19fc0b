"""A thin HTTP client of ``rlaudit serve-reward`` (urllib, no third-party packages)."""

import json
import time
import urllib.error
import urllib.request


class RewardServiceError(Exception):
    """The service refused a batch (400/404/409/413): retrying the same batch cannot help.

    ``status`` is the HTTP status and ``body`` the service's JSON answer, which names the item and field.
    """

    def __init__(self, status, body):
        super().__init__("rlaudit serve-reward answered %s: %s" % (status, body.get("message", body)))
        self.status = status
        self.body = body


class RewardServiceClient:
    """Sends batches of sessions to one run of a reward service and returns its answers.

    Session numbers are the client's: ``next_session()`` continues after the run's last stored session (asked
    once, from ``GET /v1/runs/{run}``), so a restarted trainer continues the run instead of colliding with it.
    A batch is resent with the same session numbers after a connection error, a timeout, 429 or a 5xx, for up
    to ``retry_seconds``: the service stores it once and answers a resend from its store.

    >>> client = RewardServiceClient("http://127.0.0.1:8787", run="grpo-live")
    >>> answers = client.send([{"session": 1, "output": "4", "baseline_reward": 0.9}])
    >>> answers[0]["adjusted_reward"]
    """

    def __init__(self, url, run, token=None, timeout=30.0, retry_seconds=600.0):
        self.url = url.rstrip("/")
        self.run = run
        self.token = token
        self.timeout = timeout
        self.retry_seconds = retry_seconds
        self._next = None

    def _request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("content-type", "application/json")
        if self.token is not None:
            request.add_header("authorization", "Bearer " + self.token)
        deadline = time.monotonic() + self.retry_seconds
        delay = 0.05
        while True:
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as error:
                answer = _json(error)
                if error.code != 429 and error.code < 500:
                    raise RewardServiceError(error.code, answer) from None
                retry_after = error.headers.get("Retry-After") if error.headers else None
                if retry_after:
                    delay = max(delay, float(retry_after))
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass  # the service is restarting or unreachable: the same batch is sent again
            if time.monotonic() + delay > deadline:
                raise TimeoutError(
                    "rlaudit serve-reward at %s did not answer within %.0f s" % (self.url, self.retry_seconds)
                )
            time.sleep(delay)
            delay = min(delay * 2, 2.0)

    def state(self):
        """The run's state: sessions, last session, events, parameters in force."""
        return self._request("GET", "/v1/runs/%s" % self.run)

    def next_session(self):
        """The next session number of the run (1 for a new run)."""
        if self._next is None:
            last = self.state().get("last_session")
            self._next = 1 if last is None else last + 1
        return self._next

    def send(self, sessions, after=None):
        """Sends one batch (a list of dicts in record-format field names); returns the per-session answers."""
        body = {"sessions": list(sessions)}
        if after is not None:
            body["after"] = after
        answer = self._request("POST", "/v1/runs/%s/sessions" % self.run, body)
        if sessions:
            self._next = max(self._next or 0, sessions[-1]["session"] + 1)
        return answer["sessions"]

    def reward(self, outputs, baselines, step=None, prompts=None, classifications=None):
        """Numbers the sessions, sends them as one batch, and returns the adjusted rewards in order."""
        first = self.next_session()
        sessions = []
        for k, (output, baseline) in enumerate(zip(outputs, baselines)):
            item = {"session": first + k, "output": output, "baseline_reward": float(baseline)}
            if step is not None:
                item["step"] = int(step)
            if prompts is not None and isinstance(prompts[k], str):
                item["prompt"] = prompts[k]
            if classifications is not None and classifications[k] is not None:
                item["classification"] = classifications[k]
            sessions.append(item)
        if not sessions:
            return []
        return [answer["adjusted_reward"] for answer in self.send(sessions)]


def _json(error):
    try:
        return json.loads(error.read().decode("utf-8"))
    except (ValueError, OSError):
        return {"message": str(error)}
