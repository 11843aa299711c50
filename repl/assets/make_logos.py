"""Draws the kernel's logo — three lanes of a schedule, each running in turn —
as the SVG and the two PNG sizes a kernelspec carries. Run once by hand
(python3 make_logos.py); the files it writes are kept in the repository."""
import struct
import zlib

BACKGROUND = (0xB7, 0x41, 0x0E)  # rust orange
LANES = [(0xFF, 0xFF, 0xFF), (0xFF, 0xD8, 0x9A), (0xFF, 0xB0, 0x6A)]
# Each lane's running slices, in 16ths of the width: lane i runs while the
# others wait, as greenlets taking turns do.
SLICES = [[(2, 5), (9, 11)], [(5, 7), (11, 14)], [(7, 9), (3, 4)]]


def svg():
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16" width="64" height="64">',
        '<rect width="16" height="16" rx="3" fill="#%02x%02x%02x"/>' % BACKGROUND,
    ]
    for lane, slices in enumerate(SLICES):
        y = 3.5 + lane * 3.5
        parts.append(
            '<rect x="2" y="%.1f" width="12" height="0.4" fill="#ffffff" opacity="0.5"/>'
            % (y + 0.9)
        )
        for start, end in slices:
            parts.append(
                '<rect x="%d" y="%.1f" width="%d" height="2.2" rx="0.5" fill="#%02x%02x%02x"/>'
                % ((start, y, end - start) + LANES[lane])
            )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def png(size):
    scale = size / 16
    pixels = []
    for py in range(size):
        row = []
        for px in range(size):
            x, y = (px + 0.5) / scale, (py + 0.5) / scale
            color = None
            # The rounded square.
            cx, cy = min(max(x, 3), 13), min(max(y, 3), 13)
            if (x - cx) ** 2 + (y - cy) ** 2 <= 9:
                color = BACKGROUND
            for lane, slices in enumerate(SLICES):
                top = 3.5 + lane * 3.5
                if 2 <= x < 14 and top + 0.9 <= y < top + 1.3:
                    color = tuple((c + 0xFF) // 2 for c in BACKGROUND)
                for start, end in slices:
                    if start <= x < end and top <= y < top + 2.2:
                        color = LANES[lane]
            row.append(color + (255,) if color else (0, 0, 0, 0))
        pixels.append(row)
    raw = b"".join(b"\x00" + b"".join(bytes(p) for p in row) for row in pixels)

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    with open("logo-svg.svg", "w") as f:
        f.write(svg())
    for size in (32, 64):
        with open(f"logo-{size}x{size}.png", "wb") as f:
            f.write(png(size))
