"""The MLLP listener: HL7 v2 over TCP (python-hl7's asyncio server), one ACK per message."""

from __future__ import annotations

import asyncio
from typing import Any

import hl7
from asgiref.sync import sync_to_async
from hl7.mllp import start_hl7_server

from oncocenter.interop.hl7.services import hl7_receive


def _receive(raw: str, user: Any) -> str:
    from django.db import close_old_connections

    close_old_connections()
    return hl7_receive(raw=raw, by=user).ack


async def handle(reader: Any, writer: Any, user: Any) -> None:
    try:
        while not writer.is_closing():
            message = await reader.readmessage()
            ack = await sync_to_async(_receive, thread_sensitive=True)(str(message), user)
            writer.writemessage(hl7.parse(ack))
            await writer.drain()
    except asyncio.IncompleteReadError:
        pass  # the sender closed the connection
    finally:
        writer.close()


async def serve(host: str, port: int, user: Any, ready: asyncio.Event | None = None) -> None:
    async with await start_hl7_server(
        lambda r, w: handle(r, w, user), host=host, port=port, encoding="utf-8"
    ) as server:
        if ready is not None:
            ready.set()
        await server.serve_forever()
