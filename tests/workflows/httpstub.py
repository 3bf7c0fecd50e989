"""A minimal HTTP/1.1 server on loopback, standing for an agency's reporting system."""

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qs, urlsplit


class ReportServer:
    """Answers GET with a valid report, an invalid one, or is not there at all ("down")."""

    def __init__(self) -> None:
        self.requests: list[str] = []

    async def _handle(
        self, answer: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        request_line = (await reader.readline()).decode()
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        target = request_line.split(" ")[1]
        self.requests.append(target)
        period = parse_qs(urlsplit(target).query).get("period", [""])[0]
        body = (
            json.dumps({"period": period, "body": "Báo cáo tự động từ hệ thống."})
            if answer == "valid"
            else json.dumps({"period": period})
        )
        data = body.encode()
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode()
            + data
        )
        await writer.drain()
        writer.close()

    @asynccontextmanager
    async def serving(self, answer: str) -> AsyncIterator[str]:
        """Serve on a free loopback port; "down" yields the URL of a port nobody listens on."""
        if answer == "down":
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            yield f"http://127.0.0.1:{port}/report"
            return
        server = await asyncio.start_server(lambda r, w: self._handle(answer, r, w), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            yield f"http://127.0.0.1:{port}/report"
        finally:
            server.close()
            await server.wait_closed()
