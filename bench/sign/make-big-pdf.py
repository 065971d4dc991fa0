#!/usr/bin/env python3
"""Writes a valid one-page PDF of about SIZE_MB megabytes (a large uncompressed RGB image
of noise, so it is really that big on disk). Usage: make-big-pdf.py OUT SIZE_MB"""
import os
import sys

out, mb = sys.argv[1], int(sys.argv[2])
side = int((mb * 1024 * 1024 / 3) ** 0.5)
data_len = side * side * 3
objs = []
objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
objs.append(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>")
content = b"q 500 0 0 700 47 71 cm /Im1 Do Q"
objs.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
with open(out, "wb") as f:
    f.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(f.tell())
        f.write(b"%d 0 obj\n" % i + o + b"\nendobj\n")
    offsets.append(f.tell())
    f.write(b"5 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length %d >>\nstream\n" % (side, side, data_len))
    chunk = os.urandom(1 << 20)
    left = data_len
    while left > 0:
        n = min(left, len(chunk))
        f.write(chunk[:n])
        left -= n
    f.write(b"\nendstream\nendobj\n")
    xref = f.tell()
    f.write(b"xref\n0 6\n0000000000 65535 f \n")
    for off in offsets:
        f.write(b"%010d 00000 n \n" % off)
    f.write(b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref)
