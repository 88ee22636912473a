#!/usr/bin/env python3
# Writes message.wav, the new-message sound: a soft two-note chime (E6 then B6, each a sine
# with a few quiet overtones and an exponential fade), 0.45 s, 16 kHz mono 16-bit (about
# 14 KB). Run once; the WAV is committed.
import math
import os
import struct
import wave

RATE = 16000
LENGTH = 0.45
samples = [0.0] * int(RATE * LENGTH)


def note(start, freq, seconds, gain):
    first = int(RATE * start)
    n = int(RATE * seconds)
    for i in range(n):
        if first + i >= len(samples):
            break
        t = i / RATE
        attack = min(1.0, i / 48)  # 3 ms: no click
        decay = math.exp(-t * 9.0)
        v = (math.sin(2 * math.pi * freq * t) + 0.25 * math.sin(2 * math.pi * 2 * freq * t)
             + 0.1 * math.sin(2 * math.pi * 3 * freq * t))
        samples[first + i] += gain * attack * decay * v


note(0.0, 1318.5, 0.45, 0.30)
note(0.11, 1975.5, 0.34, 0.24)
fade = int(RATE * 0.02)  # the last 20 ms down to silence
for i in range(fade):
    samples[-1 - i] *= i / fade
with wave.open(os.path.join(os.path.dirname(__file__), "message.wav"), "wb") as w:
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(RATE)
    w.writeframes(b"".join(struct.pack("<h", int(max(-1, min(1, s)) * 32767)) for s in samples))
