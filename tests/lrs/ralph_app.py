"""Ralph's LRS app as the real-LRS test serves it: its file-system backend appending to its file.

Ralph 5.1.0's file-system LRS backend writes its one statements file with the data backend's
default operation, *create*, which refuses an existing file: every POST after the first would
answer 500. Appending is the data backend's own ``APPEND`` operation; nothing else changes.
"""

from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402 (after the backend is set up)

__all__ = ["app"]
