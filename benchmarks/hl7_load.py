"""HL7 v2 ADT load test: N messages through the receive service (store, apply, ACK).

    ONCOCENTER_DATA_DIR=/tmp/oc-bench .venv/bin/oncocenter migrate
    ONCOCENTER_DATA_DIR=/tmp/oc-bench .venv/bin/python benchmarks/hl7_load.py --messages 10000

Half the messages register new patients (A04), a quarter update them (A08), the rest are A01,
A31 and repeats of messages already sent (which must be answered from the store). Prints the
counts per ACK code, messages per second and the machine load.
"""

from __future__ import annotations

import argparse
import os
import random
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup()

from oncocenter.accounts.models import User  # noqa: E402
from oncocenter.audit.context import AuditContext, bind_context  # noqa: E402
from oncocenter.interop.hl7.services import hl7_receive  # noqa: E402
from oncocenter.interop.models import Hl7Message  # noqa: E402

FACILITY = "LOADTEST"


def letters(n: int) -> str:
    """A name part from a number (names are letters only: digits are refused, rightly)."""
    out = ""
    while True:
        n, r = divmod(n, 26)
        out = "abcdefghijklmnopqrstuvwxyz"[r] + out
        if n == 0:
            return out.capitalize()


def message(event: str, control: str, ident: str, family: str, given: str) -> str:
    return (
        f"MSH|^~\\&|HIS|{FACILITY}|ONCO|ONC|20261207101500||ADT^{event}^ADT_A01|{control}|P|2.5.1\r"
        f"EVN|{event}|20261207101500\r"
        f"PID|1||{ident}^^^LOADTEST^MR||{family}^{given}||19700101|F\r"
    )


def main() -> None:
    global FACILITY
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--facility", default=FACILITY, help="MSH-4 of the simulated sender")
    args = parser.parse_args()
    FACILITY = args.facility
    user, _ = User.objects.get_or_create(username="hl7-load")
    bind_context(AuditContext(user=user, system_actor="hl7"))
    rng = random.Random(20)
    n = args.messages
    sent: list[str] = []
    start = time.perf_counter()
    codes: dict[str, int] = {}
    for i in range(n):
        roll = i % 20
        if roll < 10 or not sent:
            raw = message("A04", f"L{i}", f"P{i}", "LEE", f"Given {letters(i)}")
        elif roll < 15:
            j = rng.randrange(0, i, 2) if i > 2 else 0
            raw = message("A08", f"L{i}", f"P{j - j % 20}", "LEE", f"Changed {letters(i)}")
        elif roll < 18:
            raw = message(
                rng.choice(["A01", "A31"]), f"L{i}", f"P{i - roll}", "LEE", f"Again {letters(i)}"
            )
        else:
            raw = rng.choice(sent)  # a sender repeating a message
        row = hl7_receive(raw=raw, by=user)
        codes[row.ack_code] = codes.get(row.ack_code, 0) + 1
        sent.append(raw)
    seconds = time.perf_counter() - start
    print(
        f"messages sent: {n}; stored: {Hl7Message.objects.filter(sending_facility=FACILITY).count()}"
    )
    print(f"ACK codes: {codes}")
    print(f"elapsed: {seconds:.1f} s; {n / seconds:.0f} messages/s")
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
