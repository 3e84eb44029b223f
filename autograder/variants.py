"""Which variant of an assignment's hidden tests each student gets (nnref/variants.py runs it).

A keyed hash: HMAC-SHA256 of the assignment's id and the student's id under the course's
secret, modulo the assignment's number of variants (course.toml's ``variants``). The same
student always gets the same variant, so a regrade agrees with the first grading; without the
secret, nobody can tell which variant another student has.

The secret: ``NNCOURSE_SECRET`` if set, else the workspace's ``.nncourse_secret`` file, made
(random, readable by its owner only) the first time a class is graded there. It never enters a
kernel: sandboxed kernels start with an empty environment, and an unsandboxed one without it.
A new secret (a new term) gives every student new variants (course/INSTRUCTORS.md, "Variants").
"""
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from .errors import GradeError

SECRET_VARIABLE = "NNCOURSE_SECRET"
SECRET_FILE = ".nncourse_secret"
SHORTEST = 16  # characters: a shorter secret could be found by trying them all against one's own variant


def secret(workspace):
    """The course's secret as bytes: the environment's, else the workspace's file (made if missing)."""
    text = os.environ.get(SECRET_VARIABLE)
    where = f"${SECRET_VARIABLE}"
    if text is None:
        path = Path(workspace) / SECRET_FILE
        where = str(path)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as f:
                f.write(secrets.token_hex(32) + "\n")
        text = path.read_text(encoding="utf-8")
    text = text.strip()
    if len(text) < SHORTEST:
        raise GradeError(f"the variants' secret in {where} has {len(text)} characters; it needs at least "
                         f"{SHORTEST}, or a student could find it by trying every shorter one. Use a random "
                         f"one, e.g. the output of: python -c \"import secrets; print(secrets.token_hex(32))\"")
    return text.encode()


def variant_of(key, assignment_id, student, count):
    """The variant (0 .. count - 1) of ``assignment_id``'s hidden tests that ``student`` gets under ``key``."""
    if count <= 1:
        return 0
    digest = hmac.new(key, f"{assignment_id}\n{student}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") % count
