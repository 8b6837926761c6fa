"""Child process for the delivery crash test: delivers outbox messages until killed or done.

Usage: python delivery_child.py DB_URL VAR_DIR  (transport settings come from AMTSKOFFER_* variables)
Prints "ready" once the engine is up, then one line per recorded outcome; exits when nothing is due.
"""

from __future__ import annotations

import sys
from pathlib import Path

from engine.messaging.delivery import deliver_due
from engine.service_layer.core import Engine
from engine.settings import Settings


def main() -> None:
    url, var_dir = sys.argv[1], Path(sys.argv[2])
    engine = Engine(Settings.from_env(database_url=url, var_dir=var_dir))
    print("ready", flush=True)
    while True:
        result = deliver_due(engine, limit=1)
        if result.attempted == 0:
            break
        print("delivered" if result.delivered else "failed", flush=True)
    engine.close()


if __name__ == "__main__":
    main()
