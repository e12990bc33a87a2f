"""Real IPython kernels for tests and benches: one way to start one, run code, answer stdin.

Every kernel runs this interpreter with a scrubbed environment: none of the developer's
``ANTHROPIC_*`` or ``CLAUDE_NB_*`` variables, a temporary ``CLAUDE_NB_HOME`` of its own
(history is saved by default, so no kernel may write ``~/.claude_nb``) unless the caller
names one, then whatever the caller adds::

    with running_kernel(ANTHROPIC_BASE_URL=url, ANTHROPIC_API_KEY=FAKE_KEY) as kernel:
        execution = kernel.execute("%claude hello")
        execution.reply["status"], execution.displays, execution.text

Standard library only at import time (``jupyter_client`` is imported when a kernel starts)
and no pytest import, so the benches use it as the tests do.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = [
    "FAKE_KEY",
    "Execution",
    "Kernel",
    "Message",
    "canary_key",
    "kernel_environment",
    "kernel_on",
    "running_kernel",
]

FAKE_KEY = "sk-ant-test-kernel-0000"
"""The API key kernels get from ``kernel_on``: well formed, never valid."""


def canary_key(tag: str, kind: str = "api03") -> str:
    """A key-shaped canary (``sk-ant-<kind>-<tag>``), built at run time.

    Tests scan what the code wrote for it; the literal never appears in the repository, so
    secret scanners are not fooled into reporting a real key.
    """
    return "-".join(("sk", "ant", kind, tag))


Message = dict[str, Any]
"""One Jupyter message as ``jupyter_client`` returns it (``msg_type``, ``content``, ...)."""


class _Served(Protocol):
    """What ``kernel_on`` needs of an emulator: serving it over HTTP."""

    def serve(self) -> contextlib.AbstractContextManager[str]: ...


@dataclass
class Execution:
    """What one ``Kernel.execute`` saw: the shell reply, the cell's iopub messages, prompts.

    Attributes:
        reply: The ``execute_reply`` content (``status``, ``ename``, ``payload``, ...).
        messages: The cell's iopub messages, in arrival order.
        arrivals: ``time.time()`` of each message's arrival, parallel to ``messages``.
        prompts: The ``input()`` prompts the cell showed, in order.
    """

    reply: dict[str, Any]
    messages: list[Message] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)

    def of_type(self, *kinds: str) -> list[Message]:
        """The cell's messages whose ``msg_type`` is one of ``kinds``, in order."""
        return [m for m in self.messages if m["msg_type"] in kinds]

    @property
    def displays(self) -> list[Message]:
        """The cell's ``display_data`` and ``update_display_data`` messages."""
        return self.of_type("display_data", "update_display_data")

    @property
    def stdout(self) -> str:
        """The cell's printed text (stream messages joined as written)."""
        return "".join(m["content"].get("text", "") for m in self.of_type("stream"))

    @property
    def text(self) -> str:
        """Everything readable: printed text, tracebacks, then every display's data."""
        parts = [m["content"].get("text", "") for m in self.of_type("stream")]
        for m in self.of_type("error"):
            parts += m["content"]["traceback"]
        for m in self.of_type("display_data", "update_display_data", "execute_result"):
            parts.append(str(m["content"]["data"]))
        return "\n".join(parts)


class Kernel:
    """A started kernel: its blocking client and its manager (restart, interrupt, kill).

    Attributes:
        client: The ``jupyter_client`` blocking client (channels started).
        manager: The ``jupyter_client.KernelManager`` that started the kernel.
    """

    def __init__(self, client: Any, manager: Any) -> None:
        self.client = client
        self.manager = manager

    def execute(
        self,
        code: str,
        *,
        answers: Sequence[str] | None = None,
        interrupt_when: Callable[[Message], bool] | None = None,
        on_message: Callable[[Message, float], None] | None = None,
        timeout: float = 60,
    ) -> Execution:
        """Run ``code`` and collect its iopub messages until the kernel is idle again.

        Args:
            code: The cell.
            answers: Replies to the cell's ``input()`` prompts, in order. ``None`` runs the
                cell with stdin not allowed (``input()`` raises in the kernel); a prompt
                beyond the given answers is a test failure.
            interrupt_when: Interrupt the kernel (once) at the first message it accepts.
            on_message: Called with each message and its arrival time (``time.time()``).
            timeout: Seconds for the whole cell.

        Returns:
            The reply and the messages the cell produced.

        Raises:
            TimeoutError: The kernel was not idle again within ``timeout`` seconds.
            AssertionError: The cell prompted for more input than ``answers`` gave.
        """
        allow_stdin = answers is not None
        pending = iter(answers or ())
        msg_id = self.client.execute(code, allow_stdin=allow_stdin)
        execution = Execution(reply={})
        deadline = time.monotonic() + timeout
        interrupted = False
        while time.monotonic() < deadline:
            if allow_stdin:
                self._answer_prompts(pending, execution)
            try:
                message = self.client.get_iopub_msg(timeout=0.05 if allow_stdin else 1)
            except queue.Empty:
                continue
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            arrived = time.time()
            execution.messages.append(message)
            execution.arrivals.append(arrived)
            if on_message:
                on_message(message, arrived)
            if interrupt_when and not interrupted and interrupt_when(message):
                self.manager.interrupt_kernel()
                interrupted = True
            if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                break
        else:
            raise TimeoutError(f"the cell did not finish within {timeout} s:\n{code}")
        reply = self.client.get_shell_msg(timeout=timeout)
        while reply["parent_header"].get("msg_id") != msg_id:  # an earlier cell's, left unread
            reply = self.client.get_shell_msg(timeout=timeout)
        execution.reply = reply["content"]
        return execution

    def _answer_prompts(self, pending: Iterator[str], execution: Execution) -> None:
        while self.client.stdin_channel.msg_ready():
            request = self.client.get_stdin_msg(timeout=0)
            prompt = request["content"]["prompt"]
            execution.prompts.append(prompt)
            answer = next(pending, None)
            if answer is None:
                self.client.input("")  # let the cell finish, so the kernel stays usable
                raise AssertionError(f"unexpected prompt {prompt!r} (no answer left)")
            self.client.input(answer)

    def checked(self, code: str) -> Execution:
        """``execute(code)``, which must succeed.

        Raises:
            AssertionError: The cell failed (the message has the traceback).
        """
        execution = self.execute(code)
        if execution.reply["status"] != "ok":
            raise AssertionError(execution.text)
        return execution

    def value(self, expression: str) -> str:
        """``repr(expression)`` evaluated in the kernel.

        Raises:
            AssertionError: Evaluating ``expression`` failed (the message has the traceback).
        """
        return self.checked(f"print(repr({expression}))").stdout.strip()


def kernel_environment(environment: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without ``ANTHROPIC_*``/``CLAUDE_NB_*``, then ``environment``."""
    variables = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("ANTHROPIC_", "CLAUDE_NB_"))
    }
    variables.update(environment)
    return variables


@contextlib.contextmanager
def kernel_on(emulator: _Served, **environment: str) -> Iterator[Kernel]:
    """A kernel talking to ``emulator`` served over HTTP on 127.0.0.1 (key ``FAKE_KEY``).

    Args:
        emulator: A ``claude_nb.emulator.Emulator`` (anything with ``serve()``); it is served
            for as long as the kernel runs.
        **environment: More variables for the kernel (see ``running_kernel``).

    Yields:
        The started kernel, ``ANTHROPIC_BASE_URL`` set to the served emulator.
    """
    with (
        emulator.serve() as base_url,
        running_kernel(
            ANTHROPIC_BASE_URL=base_url, ANTHROPIC_API_KEY=FAKE_KEY, **environment
        ) as kernel,
    ):
        yield kernel


@contextlib.contextmanager
def running_kernel(**environment: str) -> Iterator[Kernel]:
    """A fresh python3 kernel on this interpreter, shut down on exit.

    Its ``CLAUDE_NB_HOME`` is a temporary directory removed afterwards, unless
    ``environment`` names one.

    Args:
        **environment: Variables added to the scrubbed environment (``kernel_environment``).

    Yields:
        The started kernel, ready for ``execute``.
    """
    from jupyter_client.manager import KernelManager

    with contextlib.ExitStack() as stack:
        if "CLAUDE_NB_HOME" not in environment:
            home = stack.enter_context(tempfile.TemporaryDirectory(prefix="claude_nb_home_"))
            environment = {**environment, "CLAUDE_NB_HOME": home}
        manager: Any = KernelManager(kernel_name="python3")
        manager.kernel_spec.argv[0] = sys.executable  # this venv's python, whatever the spec says
        manager.start_kernel(env=kernel_environment(environment))
        client = manager.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
            yield Kernel(client, manager)
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
