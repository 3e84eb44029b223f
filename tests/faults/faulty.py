"""The fault-injection suite's faulty students (issue #31): what each one's notebook does.

Each is the full solution of 02_forward_pass plus one fault: ``CELLS`` holds a code cell put
at the end of the notebook (after every test: all of its points were earned before the
fault), ``ANSWERS`` an exercise answered with a value no rule can compare.

The kernel's messages are forged from inside it: ``get_ipython().kernel`` holds the session
(its HMAC key) and the iopub socket, so student code can send the grader any frames it likes,
correctly signed.
"""

# An iopub message as the grader receives it, signed with the kernel's own key, addressed to
# the cell running now; ``content`` is the raw content frame.
SEND_RAW = '''
def send_raw(msg_type, content):
    kernel = get_ipython().kernel
    session = kernel.session
    frames = [session.pack(session.msg_header(msg_type)), session.pack(kernel.get_parent()["header"]),
              b"{}", content]
    kernel.iopub_socket.send_multipart([msg_type.encode(), b"<IDS|MSG>", session.sign(frames), *frames])
'''


def wrong_type(msg_type, content):
    """A cell sending one valid, signed message whose fields have the wrong types."""
    return SEND_RAW + f"import json\nsend_raw({msg_type!r}, json.dumps({content!r}).encode())\n"


# many busy processes, each under its own per-process CPU limit and in a session of its own
# (Linux's scheduler shares the CPU fairly between sessions, not processes: one session of
# busy processes would slow a classmate little). Put first in the notebook, so that it
# runs while its classmate does.
CPU_HOG = '''
import os
children = []
for _ in range(64):
    pid = os.fork()
    if pid == 0:
        os.setsid()
        while True:
            pass
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
while True:
    pass
'''

HUNDRED_THOUSAND = 100_000

CELLS = {
    # content that is not JSON at all
    "bad_json": SEND_RAW + 'send_raw("stream", b\'{"name": "stdout", "text": \')\n',
    # valid JSON, fields of the wrong type (GradingClient.output reads them)
    "stream_text_int": wrong_type("stream", {"name": "stdout", "text": 12345}),
    "error_traceback_int": wrong_type("error", {"ename": "ValueError", "evalue": {"a": 1}, "traceback": 7}),
    "display_data_list": wrong_type("display_data", {"data": ["text/plain", "x"], "metadata": {}}),
    # the kernel freezes: no reply, no output, no heartbeat, no CPU time used
    "silent_kernel": "import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)\n",
    # hundreds of thousands of tiny display messages, each one signed and valid
    "flood": SEND_RAW + f'''
for i in range({3 * HUNDRED_THOUSAND}):
    send_raw("display_data", b\'{{"data": {{"text/plain": "."}}, "metadata": {{}}}}\')
''',
}

# affine_forward's output, as its test reports it, is an integer too large for a float. The
# kernel's encoder would refuse it (OverflowError), so affine_forward publishes the test's
# first observation itself (its output check), carrying the integer.
HUGE_INT = '''from IPython.display import display
from nnref.observations import MIME

def affine_forward(x, w, b):
    display({MIME: {"kind": "close", "got": {"json": 10 ** 400}, "expected": {"json": None}}}, raw=True)
    return x.reshape(x.shape[0], -1) @ w + b, (x, w)
'''
# affine_forward leaves the test's x a ragged nested list, which the test checks is unchanged
RAGGED = '''import sys

def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1) @ w + b
    sys._getframe(1).f_globals["x"] = [[1.0, 2.0], [3.0]]
    return out, (x, w)
'''
ANSWERS = {"huge_int": {"affine_forward": HUGE_INT}, "ragged_list": {"affine_forward": RAGGED}}

# every faulty student but the hog, which is graded in a class of its own with its classmate
FAULTS = sorted(CELLS) + sorted(ANSWERS)
