#!/usr/bin/env python3
"""End-to-end network tests: cVMs built with ivcc, run by the monitor, talking to host peers.

usage: net_e2e.py SCENARIO GUEST_DIR INTRAVISOR [MONITOR OPTIONS...]

Each scenario picks free ports, writes its YAML into a fresh temporary folder, runs the monitor
and plays the host side; it fails (exit 1) on any FAIL line, an unexpected exit status or a
host-side mismatch, printing what the monitor said.
"""
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

TIMEOUT = 60


def free_port():
    """A loopback port nothing listens on now (the kernel's pick, released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Monitor:
    """The monitor running one YAML, its stdout read line by line as it comes."""

    def __init__(self, cmd, yaml_path):
        self.proc = subprocess.Popen(cmd + ["-y", yaml_path], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.ended = False
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.ended = True
            self.cond.notify_all()

    def wait_line(self, text):
        """Waits until a stdout line ends with text."""
        def seen():
            return any(l.endswith(text) for l in self.lines)

        with self.cond:
            self.cond.wait_for(lambda: seen() or self.ended, TIMEOUT)
            ok = seen()
        if not ok:
            raise AssertionError("the monitor never printed " + repr(text))

    def finish(self):
        """The exit status and stderr, once the monitor ended."""
        try:
            status = self.proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError("the monitor did not end")
        self.reader.join()
        return status, self.proc.stderr.read()


def run_yaml(cmd, folder, yaml_text, host_side=None, want_status=0, want_stderr=None):
    path = os.path.join(folder, "net.yaml")
    with open(path, "w") as f:
        f.write(yaml_text)
    mon = Monitor(cmd, path)
    problem = None
    try:
        if host_side:
            host_side(mon)
    except (AssertionError, OSError) as e:
        problem = "host side: %s" % e
    status, stderr = mon.finish()
    out = "\n".join(mon.lines)
    if problem is None and status != want_status:
        problem = "exit status %d, expected %d" % (status, want_status)
    if problem is None and "FAIL" in out:
        problem = "a cVM reported a failure"
    if problem is None and want_stderr and want_stderr not in stderr:
        problem = "stderr lacks " + repr(want_stderr)
    if problem:
        print("FAIL: " + problem)
        print("--- yaml ---\n" + yaml_text + "--- stdout ---\n" + out + "\n--- stderr ---\n" +
              stderr)
        sys.exit(1)
    print(out)


def echo_client(family, address):
    """Connects once the server is ready, says hello, and wants it back, then EOF."""
    def play(mon):
        mon.wait_line("READY")
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(TIMEOUT)
            s.connect(address)
            s.sendall(b"hello")
            got = b""
            while True:
                data = s.recv(64)
                if not data:
                    break
                got += data
        if got != b"hello":
            raise AssertionError("the echo was %r" % got)
    return play


def server_yaml(guests, args, listen):
    return """cVMs:
- name: server
  runtime: %s/server.wasm
  args: %s
  net:
    listen: [ "%s" ]
  limits: {timeout: %d}
""" % (guests, args, listen, TIMEOUT)


def scenario_tcp_server(cmd, guests, folder):
    port = free_port()
    run_yaml(cmd, folder, server_yaml(guests, "server tcp 127.0.0.1 %d" % port,
                                      "tcp:127.0.0.1:%d" % port),
             echo_client(socket.AF_INET, ("127.0.0.1", port)))


def scenario_tcp6_server(cmd, guests, folder):
    port = free_port()
    run_yaml(cmd, folder, server_yaml(guests, "server tcp6 ::1 %d" % port,
                                      "tcp:[::1]:%d" % port),
             echo_client(socket.AF_INET6, ("::1", port)))


def scenario_poll_server(cmd, guests, folder):
    """An ordinary poll loop serving several clients at once, their messages interleaved."""
    port, clients = free_port(), 4

    def play(mon):
        mon.wait_line("READY")
        socks = [socket.create_connection(("127.0.0.1", port), TIMEOUT)
                 for _ in range(clients)]
        for round_ in range(3):
            for i, s in enumerate(socks):
                s.sendall(b"client %d round %d" % (i, round_))
            for i, s in enumerate(socks):
                want = b"client %d round %d" % (i, round_)
                got = b""
                while len(got) < len(want):
                    data = s.recv(len(want) - len(got))
                    if not data:
                        break
                    got += data
                if got != want:
                    raise AssertionError("client %d got %r" % (i, got))
        for s in socks:
            s.close()

    yaml = """cVMs:
- name: pollsrv
  runtime: {g}/pollsrv.wasm
  args: pollsrv {port} {n}
  net:
    listen: [ "tcp:127.0.0.1:{port}" ]
  limits: {{timeout: {t}}}
""".format(g=guests, port=port, n=clients, t=TIMEOUT)
    run_yaml(cmd, folder, yaml, play)


def scenario_unix_server(cmd, guests, folder):
    path = os.path.join(folder, "echo.sock")
    yaml = server_yaml(guests, "server unix " + path, "unix:" + path)
    run_yaml(cmd, folder, yaml, echo_client(socket.AF_UNIX, path))
    # The socket file the first run left is stale: a second run replaces it.
    if not os.path.exists(path):
        raise SystemExit("FAIL: no socket file after the first run")
    run_yaml(cmd, folder, yaml, echo_client(socket.AF_UNIX, path))


def scenario_client(cmd, guests, folder):
    """A cVM client of a host server, beside cVMs refused everything they try."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    server.settimeout(TIMEOUT)
    port = server.getsockname()[1]
    listen_port, other = free_port(), free_port()
    errors = []

    def serve():
        try:
            conn, _ = server.accept()
            with conn:
                got = b""
                while len(got) < 4:
                    got += conn.recv(4 - len(got))
                if got != b"ping":
                    errors.append("the server got %r" % got)
                conn.sendall(b"pong")
            conn, _ = server.accept()
            with conn:
                conn.recv(1)
            conn, _ = server.accept()
            with conn:
                got = b""
                while len(got) < 4:
                    data = conn.recv(4 - len(got))
                    if not data:
                        break
                    got += data
                if got != b"bye!":
                    errors.append("the third connection sent %r" % got)
        except OSError as e:
            errors.append(str(e))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    os.mkdir(os.path.join(folder, "data"))
    with open(os.path.join(folder, "data", "file.txt"), "w") as f:
        f.write("no socket\n")
    yaml = """cVMs:
- name: client
  runtime: {g}/client.wasm
  args: client 127.0.0.1 {port} {other}
  net:
    connect: [ "tcp:127.0.0.1:{port}" ]
  limits: {{timeout: {t}}}
- name: deny
  runtime: {g}/deny.wasm
  args: deny {listen} {port} {other} /data/file.txt
  mounts: [ {{host: data, guest: /data}} ]
  net:
    listen: [ "tcp:127.0.0.1:{listen}" ]
    connect: [ "tcp:127.0.0.1:{port}" ]
  limits: {{timeout: {t}}}
- name: nonet
  runtime: {g}/deny.wasm
  args: deny none
  limits: {{timeout: {t}}}
""".format(g=guests, port=port, other=other, listen=listen_port, t=TIMEOUT)
    run_yaml(cmd, folder, yaml)
    thread.join(TIMEOUT)
    server.close()
    if errors:
        raise SystemExit("FAIL: host server: " + "; ".join(errors))


def scenario_in_use(cmd, guests, folder):
    """A listener whose address is taken stops the monitor before any cVM runs."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        run_yaml(cmd, folder, server_yaml(guests, "server tcp 127.0.0.1 %d" % port,
                                          "tcp:127.0.0.1:%d" % port),
                 want_status=2,
                 want_stderr="cannot listen on tcp:127.0.0.1:%d: Address already in use" % port)


def scenario_time_limit(cmd, guests, folder):
    """A cVM waiting in accept past its time limit ends; the monitor and the others go on."""
    port = free_port()
    yaml = """cVMs:
- name: stuck
  runtime: {g}/server.wasm
  args: server block tcp 127.0.0.1 {port}
  net:
    listen: [ "tcp:127.0.0.1:{port}" ]
  limits: {{timeout: 2}}
- name: nonet
  runtime: {g}/deny.wasm
  args: deny none
  limits: {{timeout: {t}}}
""".format(g=guests, port=port, t=TIMEOUT)
    run_yaml(cmd, folder, yaml, lambda mon: mon.wait_line("BLOCKED"), want_status=1,
             want_stderr="cVM stuck: trap: time limit")


def scenario_closed_while_waiting(cmd, guests, folder):
    """A call into a cVM closes the socket its own thread waits on: the wait ends (EBADF)."""
    port = free_port()
    yaml = """cVMs:
- name: victim
  runtime: {g}/closer.wasm
  args: closer victim 127.0.0.1 {port}
  net:
    listen: [ "tcp:127.0.0.1:{port}" ]
  limits: {{timeout: {t}}}
- name: caller
  runtime: {g}/closer.wasm
  args: closer caller
  limits: {{timeout: {t}}}
""".format(g=guests, port=port, t=TIMEOUT)
    run_yaml(cmd, folder, yaml)


SCENARIOS = {
    "tcp-server": scenario_tcp_server,
    "tcp6-server": scenario_tcp6_server,
    "poll-server": scenario_poll_server,
    "unix-server": scenario_unix_server,
    "client": scenario_client,
    "in-use": scenario_in_use,
    "time-limit": scenario_time_limit,
    "closed-while-waiting": scenario_closed_while_waiting,
}


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in SCENARIOS:
        print(__doc__.strip() + "\nscenarios: " + ", ".join(SCENARIOS))
        return 2
    guests = os.path.abspath(sys.argv[2])
    cmd = sys.argv[3:]
    with tempfile.TemporaryDirectory(prefix="iv-net-") as folder:
        SCENARIOS[sys.argv[1]](cmd, guests, folder)
    print("OK: " + sys.argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
