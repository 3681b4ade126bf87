"""A Jupyter kernel that talks to its client through files, not TCP ports.

Over TCP the client picks five free ports and the kernel binds them a moment later.
When several kernels start at once (the book's pages, the Colab-like test's chapters),
another process can take one of those ports in between: the kernel dies with "Address
already in use" before it answers. Sockets named after each kernel cannot collide.

Give the class to nbclient, ``NotebookClient(..., kernel_manager_class=FileKernelManager)``:
the client then starts the kernel, stops it, and removes its files.
"""

import tempfile
import uuid
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import default


class FileKernelManager(AsyncKernelManager):
    """nbclient's kernel manager, with the kernel's sockets as files in the temporary folder."""

    transport = "ipc"

    @default("ip")
    def _sockets(self) -> str:
        return str(Path(tempfile.gettempdir()) / f"kernel-{uuid.uuid4().hex}")
