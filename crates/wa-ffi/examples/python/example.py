"""wa-ffi from Python with ctypes: start a session, print its QR, wait until
the phone links it, send a message and print the reply.

Run (after `cargo build -p wa-ffi`):
    WA_FFI_LIB=target/debug/libwa_ffi.so WA_DEMO=1 python3 crates/wa-ffi/examples/python/example.py

Environment: as examples/c/example.c (WA_DEMO, WA_WEBSOCKET_URL,
WA_TRUSTED_ROOT_KEY, WA_MEDIA_CA_PEM, WA_SESSIONS_PATH, WA_CONTACT), plus
WA_FFI_LIB, the path of the shared library.

Events arrive through a callback here (the C example polls).
"""
import ctypes
import json
import os
import queue
import sys

OK, TIMEOUT, ALREADY_EXISTS = 0, 7, 6


class Lib:
    """The C ABI with argument and result types declared."""

    def __init__(self, path):
        lib = ctypes.CDLL(path)
        P, S, I = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32
        OutP = ctypes.POINTER(ctypes.c_void_p)
        self.Callback = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p)
        sigs = {
            "wa_gateway_new": (I, [S, OutP]),
            "wa_gateway_free": (None, [P]),
            "wa_gateway_set_event_callback": (I, [P, self.Callback, P]),
            "wa_gateway_request": (I, [P, S, S, S, ctypes.POINTER(I), OutP]),
            "wa_session_new": (I, [P, S, OutP]),
            "wa_session_free": (None, [P]),
            "wa_session_start": (I, [P]),
            "wa_session_send_message": (I, [P, S, S, S, S, OutP]),
            "wa_string_free": (None, [P]),
            "wa_last_error": (S, []),
            "wa_status_name": (S, [I]),
            "wa_version": (S, []),
        }
        for name, (res, args) in sigs.items():
            f = getattr(lib, name)
            f.restype, f.argtypes = res, args
        self.lib = lib

    def __getattr__(self, name):
        return getattr(self.lib, name)

    def check(self, what, status):
        if status != OK:
            raise RuntimeError(f"{what}: {self.wa_status_name(status).decode()}: "
                               f"{self.wa_last_error().decode()}")

    def take_string(self, ptr):
        """Copies a library string and frees it."""
        try:
            return ctypes.string_at(ptr.value).decode()
        finally:
            self.wa_string_free(ptr)


def main():
    lib = Lib(os.environ.get("WA_FFI_LIB", "libwa_ffi.so"))
    contact = os.environ.get("WA_CONTACT", "15550000001@c.us")
    config = {}
    # Demo mode keeps its data in a temporary folder unless told otherwise.
    if not os.environ.get("WA_DEMO") or os.environ.get("WA_SESSIONS_PATH"):
        config["SESSIONS_PATH"] = os.environ.get("WA_SESSIONS_PATH", "./wa-example-data")
    for key in ("WA_WEBSOCKET_URL", "WA_TRUSTED_ROOT_KEY", "WA_MEDIA_CA_PEM"):
        if os.environ.get(key):
            config[key] = os.environ[key]
    if os.environ.get("WA_DEMO"):
        config["demo"] = True

    print("wa-ffi", lib.wa_version().decode(), flush=True)
    gw = ctypes.c_void_p()
    lib.check("wa_gateway_new", lib.wa_gateway_new(json.dumps(config).encode(), ctypes.byref(gw)))

    events = queue.Queue()

    @lib.Callback
    def on_event(_user_data, event_json):
        # Runs on the library's event thread: copy the event and return.
        events.put(json.loads(event_json.decode()))

    lib.check("wa_gateway_set_event_callback", lib.wa_gateway_set_event_callback(gw, on_event, None))

    session = ctypes.c_void_p()
    lib.check("wa_session_new", lib.wa_session_new(gw, b"py-example", ctypes.byref(session)))
    status = lib.wa_session_start(session)
    if status not in (OK, ALREADY_EXISTS):
        lib.check("wa_session_start", status)

    code = 1
    try:
        while True:
            event = events.get(timeout=120)
            kind = event["dataType"]
            if kind == "qr":
                print("QR:", event["data"]["qr"], flush=True)
            elif kind == "ready":
                print("READY", flush=True)
                out = ctypes.c_void_p()
                lib.check("wa_session_send_message", lib.wa_session_send_message(
                    session, contact.encode(), b"string", json.dumps("hello from Python").encode(),
                    None, ctypes.byref(out)))
                message = json.loads(lib.take_string(out))
                print("SENT:", message["id"]["_serialized"], flush=True)
            elif kind == "message" and event["data"]["message"]["from"] == contact:
                print("REPLY:", event["data"]["message"]["body"], flush=True)
                code = 0
                break
    except queue.Empty:
        print("no reply within 120 s", file=sys.stderr)
    finally:
        lib.wa_gateway_set_event_callback(gw, ctypes.cast(None, lib.Callback), None)
        lib.wa_session_free(session)
        lib.wa_gateway_free(gw)
    return code


if __name__ == "__main__":
    sys.exit(main())
