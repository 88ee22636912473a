#!/usr/bin/env python3
# Writes ring.wav, the incoming-call sound: 0.4 s of 440+480 Hz, 0.2 s gap, 0.4 s again,
# then 1.4 s of quiet (it loops), 16 kHz mono 16-bit. Run once; the WAV is committed.
import math
import os
import struct
import wave

RATE = 16000
samples = []


def tone(seconds):
    n = int(RATE * seconds)
    for i in range(n):
        envelope = min(1.0, i / 160, (n - i) / 160)  # 10 ms fades: no clicks
        v = 0.5 * (math.sin(2 * math.pi * 440 * i / RATE) + math.sin(2 * math.pi * 480 * i / RATE))
        samples.append(int(0.35 * 32767 * envelope * v))


def quiet(seconds):
    samples.extend([0] * int(RATE * seconds))


tone(0.4)
quiet(0.2)
tone(0.4)
quiet(1.4)
with wave.open(os.path.join(os.path.dirname(__file__), "ring.wav"), "wb") as w:
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(RATE)
    w.writeframes(b"".join(struct.pack("<h", s) for s in samples))
