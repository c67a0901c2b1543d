"""What reaches the terminal: diagnostics on stderr (`error:`, `warning:`, `hint:`), data on
stdout, with the control characters untrusted text may carry taken out first.

Report fields, file names and GGUF metadata are untrusted: an ESC or OSC sequence in them
could clear the screen, set the title or write the clipboard (OSC 52), and a carriage return
or a bidirectional override could make a line read as something else. Every line advisor
prints passes through `printable`: whole, or (a `Printable`, such as the audit's JSON) piece
by piece, each untrusted string once.
"""

from __future__ import annotations

import codecs
import re
import sys

from advisor.errors import AdvisorError

# C0 controls but tab and newline, DEL, C1 controls (0x9b is a one-byte CSI), and the
# bidirectional embeddings, overrides and isolates ("Trojan Source").
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[{_CONTROL}]")
# With styles kept: the colour and weight sequences (SGR) advisor's own tables draw, whole.
_UNSAFE_BUT_STYLES = re.compile(f"(\x1b\\[[0-9;]*m)|[{_CONTROL}]")


class Printable(str):
    """Text made only of `printable` pieces (and the maker's own text without control
    characters), so that `printable` need not run over it again: a renderer that cleans each
    untrusted string once returns this for a document of many megabytes."""

    __slots__ = ()


def printable(text: str, *, keep_styles: bool = False) -> str:
    """`text` without control characters; `keep_styles` keeps SGR colour sequences, for output
    that a renderer coloured after cleaning the data it drew."""
    if type(text) is Printable:  # already clean: nothing here to take out, styles or not
        return text
    if keep_styles:
        return _UNSAFE_BUT_STYLES.sub(lambda m: m.group(1) or "", text)
    return _UNSAFE.sub("", text)


# What advisor's own output draws beyond ASCII, as a terminal without Unicode should show it.
_ASCII = {
    "\u00b7": "-", "\u2026": "...", "\u2192": "->", "\u2190": "<-", "\u00b1": "+/-",
    "\u2248": "~", "\u00d7": "x", "\u2014": "--", "\u2013": "-", "\u2264": "<=",
    "\u2265": ">=", "\u2212": "-", "\u00b5": "u", "\u00b0": " deg", "\u2018": "'",
    "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2588": "#", "\u2713": "ok",
    "\u2717": "x", "\u2502": "|", "\u2500": "-", "\u00a0": " ", "\u2022": "*",
}  # fmt: skip
ASCII_ERRORS = "advisor-ascii"


def _to_ascii(exc: UnicodeError) -> tuple[str, int]:
    """A codec error handler: what the stream cannot encode becomes its nearest ASCII."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    chunk = exc.object[exc.start : exc.end]
    return "".join(_ascii_of(ch) for ch in chunk), exc.end


def _ascii_of(ch: str) -> str:
    if ch in _ASCII:
        return _ASCII[ch]
    import unicodedata  # here: only a stream that is not Unicode needs it, every run imports this

    plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
    return plain or "?"


codecs.register_error(ASCII_ERRORS, _to_ascii)


def fit_streams() -> None:
    """Let stdout and stderr degrade to ASCII where their encoding is not Unicode
    (PYTHONIOENCODING=ascii, a C locale): `·` prints as `-` instead of a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "utf-8"
        try:
            unicode = codecs.lookup(encoding).name.startswith("utf")
        except LookupError:
            unicode = False
        reconfigure = getattr(stream, "reconfigure", None)
        if not unicode and reconfigure is not None:
            reconfigure(errors=ASCII_ERRORS)


def out(text: str = "", *, end: str = "\n") -> None:
    """Print data on stdout, made printable."""
    print(printable(text), end=end)


def _emit(prefix: str, message: str) -> None:
    print(f"{prefix}: {printable(message)}", file=sys.stderr, flush=True)


def error(message: str) -> None:
    _emit("error", message)


def warning(message: str) -> None:
    _emit("warning", message)


def hint(message: str) -> None:
    _emit("hint", message)


def note(message: str) -> None:
    _emit("note", message)


def report_error(exc: AdvisorError) -> int:
    """Print an AdvisorError as `error:` plus an optional `hint:` and return its exit code."""
    error(exc.message)
    if exc.hint:
        hint(exc.hint)
    return int(exc.exit_code)
