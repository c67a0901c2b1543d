"""The help screen: what each panel shows and every key binding."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

HELP = """\
**advisor**: can this machine run an open LLM well enough for your work, and is that cheaper
than a subscription or an API?

| key | does |
| --- | --- |
| `1` `2` `3` | Models / Workload / Team tab |
| `/` | filter models by text (`enter` or `escape` goes back to the table) |
| `t` `c` `f` `s` | next task, context size (4k to 128k), fit filter, sort (or click a header) |
| `enter` / `escape` | open / close the detail of the selected model |
| `escape` | leave a text field (the filter, a workload number), so these keys work again |
| `p` | switch profile: "what if I had this machine?" |
| `b` / `e` | run a throughput test on a model file / export the report (JSON or markdown) |
| `d` | light or dark theme |
| `?` / `f1` | this help (`↑` `↓` `pgup` `pgdn` scroll it; `escape` closes it) |
| `q` | quit |

- **Machine** (top): CPU, RAM, GPUs, memory bandwidth (*measured*, or from the *spec table*)
  and the llama.cpp backend. A figure the probe could not read says *unknown* and why.
- **Models**: each model's best quant for the task, best first. *Fit* says where it runs:
  ✔ GPU (all layers), ✔ GPU+CPU (layers split with system RAM), ✔ CPU, or ✘ left out (the
  detail says why). *Memory* is what it needs against what that memory holds. Speeds are
  tokens/s, decode like llama-bench tg128 and prefill like pp512, with the range the estimate
  may be off by; **●** marks a speed measured on this machine. *Ctx* is the longest context
  that fits; *Qual* the quality index on the task after quantization; ⬇ a model on disk.
- **Detail** (below the table): memory breakdown, placement, decode speed as the context
  fills, and how to download and run the model.
- **Workload**: pick a preset or edit its numbers; the verdict (local, hybrid or cloud) and
  the monthly costs follow as you type.

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

    def on_mount(self) -> None:
        # The scroll area takes the keys at once: on a small terminal the help is longer than
        # the screen, and the arrows and page keys must scroll it without a Tab first.
        self.query_one("#help-body", VerticalScroll).focus()
