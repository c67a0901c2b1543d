"""The help screen: what each panel shows and every key binding."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

HELP = """\
# advisor

Can this machine run an open LLM well enough for your work, and is that cheaper than
a subscription or an API?

## Panels

- **Machine** (top): CPU, RAM, GPUs, memory bandwidth and the llama.cpp backend.
  A figure the probe could not read says *unknown* and why. Bandwidth says whether it
  was **measured** or taken from the **spec table**.
- **Models**: one row per model and its best quant for the task, best first. *Fit* says
  where it runs: ✔ GPU (all layers on the GPU), ✔ GPU+CPU (layers split with system RAM),
  ✔ CPU, or ✘ left out (the detail says why). *Memory* is what it needs against what that
  memory holds. Speeds are tokens/s, decode like llama-bench tg128 and prefill like pp512,
  with the range the estimate may be off by. A **●** marks a speed measured on this machine
  by a throughput test. *Ctx* is the longest context that fits; *Qual* the model's quality
  index on the task, after quantization. ⬇ marks a model found on disk.
- **Detail** (below the table; **enter** opens it, **escape** goes back): memory breakdown,
  placement, decode speed as the context fills, and how to download and run the model.
- **Workload**: pick a preset or edit its numbers; the verdict (local, hybrid or cloud)
  and the monthly costs update as you type.

## Keys

| key | does |
| --- | --- |
| `1` `2` `3` | Models / Workload / Team tab |
| `/` | filter models by text |
| `t` | next task (chat, coding, reasoning, vision, tools): ranks again |
| `c` | next context size (4k, 8k, 32k, 128k): ranks again |
| `f` | next fit filter (all, fits, fits on GPU) |
| `s` | next sort order (click a column header too; again to reverse) |
| `enter` / `escape` | open / close the detail of the selected model |
| `p` | switch profile: "what if I had this machine?" |
| `b` | run a throughput test on a model file |
| `e` | export the report (JSON or markdown) |
| `d` | light or dark theme |
| `?` / `f1` | this help |
| `q` | quit |

The mouse works too: click tabs, rows, column headers and buttons.
"""


class HelpScreen(ModalScreen[None]):
    """Keys and a tour of the panels; any of escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close", show=True),
    ]

    def compose(self) -> ComposeResult:
        from rich.markdown import Markdown

        with VerticalScroll(id="help-body"):
            yield Static(Markdown(HELP))
