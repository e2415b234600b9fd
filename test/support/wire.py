#!/usr/bin/env python3
"""A userspace Ethernet wire with loss, delay and jitter: the impairment rig's stand-in for
`tc netem` on kernels built without sch_netem (CONFIG_NET_SCH_NETEM unset).

    wire.py <host-if> <ns-if> <netns>

Opens two TAP devices, moves <ns-if> into <netns> and copies every frame from one to the other,
each direction with its own impairment. The kernels on both ends see an ordinary link; the
frames cross this process. Prints "ready" once both devices exist, then reads JSON commands, one
per line, on stdin and answers each with one JSON line on stdout:

    {"side": "browser"|"host"|"both", "loss": 12, "delay": 250, "jitter": 10}   set (replaces)
    {"side": "both", "clear": true}                                            no impairment
    {"stats": true}                                       frames forwarded/dropped per direction

"browser" impairs what the browser's namespace sends (frames read from <ns-if>), "host" what it
receives. Delay is per direction; jitter draws each frame's delay uniformly in delay +- jitter
(frames may be reordered, as with netem). Exits when stdin closes (the test process died) or on
SIGTERM; the TAP devices vanish with it.
"""
import fcntl
import heapq
import json
import os
import random
import select
import struct
import subprocess
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000


def open_tap(name):
    fd = os.open('/dev/net/tun', os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), IFF_TAP | IFF_NO_PI))
    return fd


def main():
    host_if, ns_if, netns = sys.argv[1:4]
    host_fd = open_tap(host_if)
    ns_fd = open_tap(ns_if)
    subprocess.run(['ip', 'link', 'set', ns_if, 'netns', netns], check=True, timeout=5)
    # Direction name -> (read from, write to); "browser" is what the namespace sends.
    directions = {'browser': (ns_fd, host_fd), 'host': (host_fd, ns_fd)}
    rules = {d: {'loss': 0.0, 'delay': 0.0, 'jitter': 0.0} for d in directions}
    stats = {d: {'forwarded': 0, 'dropped': 0} for d in directions}
    queue = []  # (due, seq, fd, frame)
    seq = 0
    stdin = sys.stdin.fileno()
    buffer = b''
    print('ready', flush=True)

    def command(text):
        msg = json.loads(text)
        if msg.get('stats'):
            return {'ok': True, 'stats': stats}
        sides = list(directions) if msg.get('side', 'both') == 'both' else [msg['side']]
        for side in sides:
            if side not in directions:
                raise ValueError('unknown side %r' % side)
            if msg.get('clear'):
                rules[side] = {'loss': 0.0, 'delay': 0.0, 'jitter': 0.0}
            else:
                rules[side] = {k: float(msg.get(k, 0)) for k in ('loss', 'delay', 'jitter')}
        return {'ok': True}

    while True:
        now = time.monotonic()
        timeout = max(0.0, queue[0][0] - now) if queue else 1.0
        readable, _, _ = select.select([host_fd, ns_fd, stdin], [], [], timeout)
        for direction, (src, dst) in directions.items():
            if src not in readable:
                continue
            rule = rules[direction]
            for _ in range(256):
                try:
                    frame = os.read(src, 65536)
                except BlockingIOError:
                    break
                if rule['loss'] > 0 and random.random() * 100 < rule['loss']:
                    stats[direction]['dropped'] += 1
                    continue
                stats[direction]['forwarded'] += 1
                delay = rule['delay'] + (random.uniform(-rule['jitter'], rule['jitter']) if rule['jitter'] else 0)
                if delay <= 0 and not queue:
                    try:
                        os.write(dst, frame)
                    except OSError:
                        pass
                else:
                    seq += 1
                    heapq.heappush(queue, (time.monotonic() + max(0.0, delay) / 1000, seq, dst, frame))
        if stdin in readable:
            chunk = os.read(stdin, 65536)
            if not chunk:
                return
            buffer += chunk
            while b'\n' in buffer:
                line, buffer = buffer.split(b'\n', 1)
                if not line.strip():
                    continue
                try:
                    reply = command(line.decode())
                except Exception as error:  # a bad command is the test's bug: say so, keep running
                    reply = {'ok': False, 'error': str(error)}
                print(json.dumps(reply), flush=True)
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, dst, frame = heapq.heappop(queue)
            try:
                os.write(dst, frame)
            except OSError:
                pass


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        pass
