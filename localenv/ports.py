"""Whether a port of the local environment is in use, meaning: something listens on it.

Every "port in use" check of `make run`, `make observe` and the local daemons asks this. It binds
the way the servers they start do (nginx, aiohttp, Prometheus, moto all set SO_REUSEADDR), so it
answers what matters: would the server bind? A plain bind would also fail for about a minute
after a server on the port answered traffic, while its closed connections sit in TIME_WAIT, and
refuse a port the server itself takes without complaint. With SO_REUSEADDR, Linux refuses the
bind while a socket listens on the address (or on the wildcard address), and ignores TIME_WAIT.

    python -m localenv.ports PORT [PORT ...]   # exit 1 and print the first port in use, else 0
"""

from __future__ import annotations

import socket
import sys

LOOPBACK = "127.0.0.1"


def in_use(port: int, host: str = LOOPBACK) -> bool:
    """True when something listens on host:port (or on every address of that port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def main(argv: list[str]) -> int:
    if not argv or not all(arg.isdigit() for arg in argv):
        print("usage: python -m localenv.ports PORT [PORT ...]", file=sys.stderr)
        return 2
    for port in map(int, argv):
        if in_use(port):
            print(port)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
