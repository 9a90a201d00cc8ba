"""Entry point of the embedded store's server process (nx-27017), quiet by default.

nx-27017 logs every command at INFO; we keep its warnings and errors only, so the
log file under $CALIPSO_HOME stays small.
"""

import logging
import sys


def main() -> int:
    logging.getLogger("nx_27017").setLevel(logging.WARNING)
    from nx_27017.nx_27017 import main as nx_main

    sys.argv[0] = "nx-27017"
    return nx_main() or 0


if __name__ == "__main__":
    sys.exit(main())
