"""asyncssh, imported once for every service that speaks SSH without a thread per connection.

asyncssh still defines its DSA key classes, and the cryptography library warns about DSA when they
are defined: a warning on every `calipso` command that touches SSH, about keys Calipso never uses.
"""

from __future__ import annotations

import warnings

from cryptography.utils import CryptographyDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
    import asyncssh  # noqa: E402

__all__ = ["asyncssh"]
