"""Write heatex_digits.py, the handwritten digits shipped inside heatex, from scikit-learn.

    .venv/bin/python scripts/make_digits.py            # rewrite heatex_digits.py
    .venv/bin/python scripts/make_digits.py --check    # exit 1 if heatex_digits.py is not what it would write

scikit-learn's ``load_digits`` reads the data from a file inside scikit-learn itself (no download):
1,797 images of 8x8 pixels, integers 0 to 16, and their digit. The module holds them as one zlib
stream in base85 (the standard library decodes both, in Pyodide too), the pixels row by row, one
byte each, then the 1,797 digits, and a SHA-256 of those bytes that ``load()`` checks. scikit-learn is
needed only here and in the test that compares the two (the ``test`` extra); heatex itself needs
nothing new. tests/library/test_digits.py checks that the shipped copy equals ``load_digits()`` exactly.
"""

import argparse
import base64
import hashlib
import pathlib
import sys
import zlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
TARGET = ROOT / "heatex_digits.py"
LINE = 100          # characters of base85 per line of the module

TEMPLATE = '''"""heatex_digits: the handwritten digits shipped inside heatex (scripts/make_digits.py writes it).

1,797 images of 8x8 pixels, integers 0 (no ink) to 16 (all ink), and the digit each shows: the data of
scikit-learn's ``load_digits``, which is the test set of the "Optical Recognition of Handwritten
Digits" data set of the UCI Machine Learning Repository, by E. Alpaydin and C. Kaynak (1998),
https://archive.ics.uci.edu/dataset/80/optical+recognition+of+handwritten+digits
(DOI 10.24432/C50P49), licensed under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/).
Each 32x32 bitmap was divided into 4x4 blocks and the black pixels of each block counted.

Stored as {n_bytes:,} bytes (the pixels row by row, one byte each, then the digits), compressed with
zlib to {n_compressed:,} bytes and written in base85 ({n_text:,} characters), so that heatex needs no
download and no new dependency, in a browser too. ``heatex_core.digits_data`` makes a data set of it;
tests/library/test_digits.py checks that it equals scikit-learn's ``load_digits()`` exactly.
"""

import base64
import hashlib
import zlib

import numpy as np

N_IMAGES, N_PIXELS = {n_images}, {n_pixels}
SHA256 = "{sha256}"


def load():
    """(pixels, digits): pixels (1797, 64) uint8 from 0 to 16, row by row; digits (1797,) uint8 from 0 to 9."""
    raw = zlib.decompress(base64.b85decode("".join(_DATA)))
    if hashlib.sha256(raw).hexdigest() != SHA256:
        raise ValueError("heatex_digits.py is damaged: its digits do not match their checksum; reinstall heatex "
                         "or run scripts/make_digits.py")
    data = np.frombuffer(raw, dtype=np.uint8)
    return data[:N_IMAGES * N_PIXELS].reshape(N_IMAGES, N_PIXELS).copy(), data[N_IMAGES * N_PIXELS:].copy()


_DATA = (
{lines}
)
'''


def source():
    """The text of heatex_digits.py, from scikit-learn's copy of the digits."""
    from sklearn.datasets import load_digits
    digits = load_digits()
    pixels, labels = digits.data, digits.target
    if not (np.array_equal(pixels, np.round(pixels)) and pixels.min() >= 0 and pixels.max() <= 16
            and labels.min() >= 0 and labels.max() <= 9):
        sys.exit("scikit-learn's digits are not integers 0 to 16 with digits 0 to 9: this script needs updating")
    raw = pixels.astype(np.uint8).tobytes() + labels.astype(np.uint8).tobytes()
    compressed = zlib.compress(raw, 9)
    text = base64.b85encode(compressed).decode("ascii")
    lines = "\n".join(f'    "{text[i:i + LINE]}"' for i in range(0, len(text), LINE))
    return TEMPLATE.format(n_bytes=len(raw), n_compressed=len(compressed), n_text=len(text), n_images=pixels.shape[0],
                           n_pixels=pixels.shape[1], sha256=hashlib.sha256(raw).hexdigest(), lines=lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that heatex_digits.py is up to date")
    args = parser.parse_args()
    text = source()
    if args.check:
        if not TARGET.exists() or TARGET.read_text() != text:
            sys.exit(f"{TARGET.name} is not what scripts/make_digits.py writes now: run it")
        print(f"{TARGET.name} is up to date")
        return
    TARGET.write_text(text)
    print(f"wrote {TARGET.name}: {TARGET.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
