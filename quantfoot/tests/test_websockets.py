"""How one frame reaches many sockets (quantfoot.websockets); real servers: tests/test_fanout_servers.py."""

from __future__ import annotations

import asyncio
import functools
import logging
import pprint

from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from quantfoot import websockets


def parse_frame(data: bytes) -> Frame:
    """What a browser reads from the bytes: an unmasked server frame."""
    reader = StreamReader()
    reader.feed_data(data)
    parser = Frame.parse(reader.read_exact, mask=False)
    try:
        next(parser)
    except StopIteration as done:
        return done.value
    raise AssertionError("the bytes are not one whole frame")


def test_a_frame_is_encoded_and_framed_once_for_every_socket():
    frame = websockets.TextFrame('<div id="score" data-seq="3">2&ndash;1 · Müller 88\'</div>')
    prepared = frame.prepared()
    assert frame.prepared() is prepared  # the next socket reuses the bytes
    parsed = parse_frame(prepared.payloadHybi)
    assert parsed.opcode is Opcode.TEXT and parsed.fin
    assert parsed.data.decode("utf-8") == frame.text  # UTF-8, as the ASGI send would have encoded it


def test_a_frame_longer_than_64_kb_has_the_long_length_header():
    frame = websockets.TextFrame("é" * 40_000)  # 80,000 bytes in UTF-8
    parsed = parse_frame(frame.prepared().payloadHybi)
    assert len(parsed.data) == 80_000 and parsed.data.decode() == frame.text


def test_any_other_server_gets_the_standard_websocket_send_message():
    sent = []

    async def send(message):
        sent.append(message)

    writer = websockets.frame_writer(send)
    assert isinstance(writer, websockets.AsgiFrameWriter)
    asyncio.run(writer.write(websockets.TextFrame("<p>goal</p>")))
    assert sent == [{"type": "websocket.send", "text": "<p>goal</p>"}]


def test_a_partial_over_something_else_than_daphne_is_not_taken_for_daphne():
    class Server:
        async def handle_reply(self, protocol, message):
            pass

    assert isinstance(websockets.frame_writer(functools.partial(Server().handle_reply, object())),
                      websockets.AsgiFrameWriter)


def test_autobahn_debug_lines_still_show_the_protocol_options_when_they_are_logged(caplog):
    from autobahn.websocket import protocol

    websockets.defer_autobahn_debug_formatting()
    options = [("openHandshakeTimeout", 5, "WebSocketFactory"), ("autoPingInterval", 20, "WebSocketFactory")]
    deferred = protocol.pformat(options)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("autobahn-test").debug("\n%s", deferred)
    assert caplog.records[-1].getMessage() == "\n" + pprint.pformat(options)
