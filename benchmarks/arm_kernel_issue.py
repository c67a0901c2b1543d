"""Count the Arm CPU matrix kernels' issue cost from the vendored llama.cpp, compiled for Apple M1.

    python benchmarks/arm_kernel_issue.py [--zig PATH] [--llama-cpp DIR]

The prefill and decode constants of advisor/estimate/speed/cpu_paths.py for Arm without the
runtime repack (ARM_DOTPROD_NO_REPACK) come from here, not from any benchmark row: prefill from
each type's GEMM (tinyBLAS for Q4_0, Q8_0 and F16, vec_dot for the rest), decode from its
vec_dot (llamafile_sgemm declines a single column, so Q4_0 and Q8_0 decode through
ggml_vec_dot_q4_0_q8_0 and ggml_vec_dot_q8_0_q8_0). Each kernel's source file
(ggml-cpu/llamafile/sgemm.cpp, ggml-cpu/arch/arm/quants.c) is compiled by clang (through
`zig cc`, from the `ziglang` package: `pip install ziglang`) for aarch64 with -mcpu=apple-m1
-O3, as a Mac build targets it. In each kernel's innermost loop (the one with the multiply-adds)
the instructions are sorted into NEON/FP, loads and the rest, and the loop's cycles are the
largest of: NEON/FP instructions / 4 pipes, loads / 3 ports, all instructions / 8 (an Apple
P-core's decode width; Dougall Johnson's Firestorm measurements, recalled, not re-fetched here).
Cycles per multiply-add over the F16 GEMM's (tinyBLAS F16 x F32: each FMA's weights converted
by fcvtl, the same algorithm as x86's F16 reference) is the printed cost.

Prints one line per kernel: its loop's instruction counts, multiply-adds per loop, cycles per
multiply-add, and the cost relative to the F16 GEMM.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SDIST_TREES = (Path("/work/llama-src"), Path("/tmp/sdist"))
NEON_PIPES, LOAD_PORTS, DECODE_WIDTH = 4, 3, 8
_LOAD = ("ldr", "ldp", "ld1", "ldur", "ld2", "ld4")
_STORE = ("str", "stp", "st1", "stur")
_BRANCH = ("b", "cbz", "cbnz", "tbz", "tbnz", "ret")
_VECTOR = re.compile(r"\bv\d+\.|\b[qdsh]\d+\b")


@dataclass(frozen=True)
class Kernel:
    """One kernel: its name, the file and compile variant, the function's symbol pattern, the
    multiply-adds one pass of its inner loop does, and the instruction that marks that loop."""

    name: str
    source: str
    variant: str
    symbol: str
    macs_per_loop: int
    marker: str


# tinyBLAS_Q0_ARM runs 3x3 tiles of (row, column) pairs, each pair 32 multiply-adds a block; the
# vec_dot kernels do one row by one column, Q5_0's loop two blocks of 32, Q6_K's half a block
# of 256 and Q4_K's a whole one; the F16 GEMM's 4x6 tile (gemm_bloc<4, 6>, the one mnpack
# picks for prompt batches) does 24 FMAs of 4 lanes.
KERNELS = (
    Kernel("tinyblas_f16", "sgemm", "nofp16",
           r"tinyBLASILi4E13__Float32x4_tS1_tffE9gemm_blocILi4ELi6E", 96, "fmla"),
    Kernel("tinyblas_q4_0", "sgemm", "m1",
           r"tinyBLAS_Q0_ARMI10block_q4_0E4gemmILi3ELi3E", 9 * 32, "sdot"),
    Kernel("tinyblas_q8_0", "sgemm", "m1",
           r"tinyBLAS_Q0_ARMI10block_q8_0E4gemmILi3ELi3E", 9 * 32, "sdot"),
    Kernel("vec_dot_Q4_0", "quants", "m1", r"^ggml_vec_dot_q4_0_q8_0$", 64, "sdot"),
    Kernel("vec_dot_Q8_0", "quants", "m1", r"^ggml_vec_dot_q8_0_q8_0$", 64, "sdot"),
    Kernel("vec_dot_Q4_K", "quants", "m1", r"^ggml_vec_dot_q4_K_q8_K$", 256, "sdot"),
    Kernel("vec_dot_Q5_0", "quants", "m1", r"^ggml_vec_dot_q5_0_q8_0$", 64, "sdot"),
    Kernel("vec_dot_Q6_K", "quants", "m1", r"^ggml_vec_dot_q6_K_q8_K$", 128, "sdot"),
)  # fmt: skip
SOURCES = {"sgemm": "ggml-cpu/llamafile/sgemm.cpp", "quants": "ggml-cpu/arch/arm/quants.c"}
# "nofp16": without FP16 vector arithmetic sgemm.cpp builds its F16 x F32 tinyBLAS (fcvtl + fmla).
VARIANTS = {"m1": [], "nofp16": ["-U__ARM_FEATURE_FP16_VECTOR_ARITHMETIC"]}


def find_ggml_src(given: Path | None) -> Path:
    if given is not None:
        return given / "ggml" / "src"
    for tree in SDIST_TREES:
        for found in sorted(tree.glob("llama_cpp_python-*/vendor/llama.cpp/ggml/src")):
            return found
    sys.exit("no llama.cpp source found: pass --llama-cpp DIR (the vendored vendor/llama.cpp)")


def compile_asm(zig: str, src: Path, source: str, variant: str, out: Path) -> Path:
    target = out / f"{source}-{variant}.s"
    if target.exists():
        return target
    lang = "c++" if SOURCES[source].endswith(".cpp") else "cc"
    cmd = [zig, lang, "-target", "aarch64-linux-gnu", "-mcpu=apple_m1", "-O3",
           *VARIANTS[variant], "-DGGML_USE_LLAMAFILE", "-I", str(src.parent / "include"),
           "-I", str(src), "-I", str(src / "ggml-cpu"), "-S", str(src / SOURCES[source]),
           "-o", str(target), "-w"]  # fmt: skip
    if lang == "c++":
        cmd.insert(cmd.index("-O3") + 1, "-std=c++17")
    subprocess.run(cmd, check=True)
    return target


def functions(asm: Path) -> dict[str, list[str]]:
    body: dict[str, list[str]] = {}
    current = None
    for line in asm.read_text().splitlines():
        head = re.match(r"^([A-Za-z_$][\w.$]*):", line)
        if head:
            current = head.group(1)
            body[current] = []
        elif current:
            body[current].append(line)
    return body


def innermost_loops(lines: list[str]) -> list[list[str]]:
    """Instruction runs from a label to a branch back to it, holding no other such run."""
    labels: dict[str, int] = {}
    code: list[str] = []
    for raw in lines:
        text = raw.split("//")[0].strip()
        label = re.match(r"^(\.L\w+):", text)
        if label:
            labels[label.group(1)] = len(code)
        elif text and not text.startswith("."):
            code.append(text)
    loops = [(labels[word], i) for i, ins in enumerate(code)
             for word in ins.replace(",", " ").split()[1:]
             if word in labels and labels[word] <= i]  # fmt: skip
    inner = [(a, b) for a, b in loops
             if not any(a <= c and d <= b and (c, d) != (a, b) for c, d in loops)]  # fmt: skip
    return [code[a : b + 1] for a, b in inner]


def kind(ins: str) -> str:
    op = ins.split()[0]
    if op.startswith(_LOAD):
        return "load"
    if op.startswith(_STORE):
        return "store"
    if op.startswith(_BRANCH):
        return "branch"
    return "neon" if _VECTOR.search(ins[len(op) :]) else "int"


def loop_cycles(loop: list[str]) -> tuple[float, Counter]:
    counts = Counter(kind(i) for i in loop)
    cycles = max(counts["neon"] / NEON_PIPES, counts["load"] / LOAD_PORTS, len(loop) / DECODE_WIDTH)
    return cycles, counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--zig", default=None, help="zig binary (default: the ziglang package's)")
    parser.add_argument("--llama-cpp", type=Path, default=None, help="vendored llama.cpp tree")
    args = parser.parse_args()
    zig = args.zig
    if zig is None:
        try:
            import ziglang  # type: ignore[import-not-found]
        except ImportError:
            sys.exit("needs a zig compiler: pip install ziglang, or pass --zig PATH")
        zig = str(Path(ziglang.__file__).parent / "zig")
    src = find_ggml_src(args.llama_cpp)
    print(f"llama.cpp source: {src.parent.parent}")
    print(f"Apple P-core issue: {NEON_PIPES} NEON pipes, {LOAD_PORTS} load ports, "
          f"{DECODE_WIDTH} instructions a cycle")  # fmt: skip
    print(
        f"{'kernel':15} {'neon':>5} {'load':>5} {'all':>5} {'MACs':>5} {'cyc/MAC':>8} {'vs F16':>7}"
    )
    per_mac: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k in KERNELS:
            asm = compile_asm(zig, src, k.source, k.variant, Path(tmp))
            bodies = [b for name, b in functions(asm).items() if re.search(k.symbol, name)]
            loops = [lp for b in bodies for lp in innermost_loops(b)
                     if any(i.split()[0] == k.marker for i in lp)]  # fmt: skip
            if not loops:
                sys.exit(f"{k.name}: no inner loop with {k.marker} in {k.symbol}")
            cycles, counts = loop_cycles(loops[0])
            per_mac[k.name] = cycles / k.macs_per_loop
            ratio = per_mac[k.name] / per_mac["tinyblas_f16"]
            print(f"{k.name:15} {counts['neon']:5d} {counts['load']:5d} {len(loops[0]):5d} "
                  f"{k.macs_per_loop:5d} {per_mac[k.name]:8.4f} {ratio:7.3f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
