"""The ``mobilekit`` command: one click group whose subcommands live in one small module each.

Subcommands are imported only when they run, so ``mobilekit --help`` never imports torch.
Exit codes, in one place (:func:`main`): 0 ok; 1 built or ran with failures (a command's ``ctx.exit(1)`` or
``sys.exit(1)``); 2 refused, a user mistake: a :class:`mobilekit.MobilekitError` raised anywhere below (its
``exit_code``) or a click usage error, shown as a short message, never a traceback (``MOBILEKIT_DEBUG=1`` shows
it anyway); 130 interrupted. Every message is passed through :func:`mobilekit.cli.terminal.clean` first.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from mobilekit import MobilekitError, __version__

# name -> (module, attribute, one-line help). The help is repeated here so the group's --help
# does not have to import every command module.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "export": ("mobilekit.cli.export_cmd", "export", "Export a PyTorch model to a validated mobile bundle."),
    "analyze": ("mobilekit.cli.analyze_cmd", "analyze", "Rank layers by the damage INT8 does to them (sensitivity analysis)."),
    "validate": ("mobilekit.cli.export_cmd", "validate", "Check a bundle: schema, checksums, and host fidelity."),
    "demo": ("mobilekit.cli.demo_cmd", "demo", "The whole journey on the built-in digits model, no arguments needed."),
    "devices": ("mobilekit.cli.bench_cmd", "devices", "List the phones this computer can reach over ADB."),
    "bench": ("mobilekit.cli.bench_cmd", "bench", "Benchmark a bundle on one or more phones."),
    "runs": ("mobilekit.cli.runs_cmd", "runs", "List and show stored benchmark runs."),
    "compare": ("mobilekit.cli.runs_cmd", "compare", "Compare two runs case by case, flagging regressions."),
    "report": ("mobilekit.cli.runs_cmd", "report", "Write a run's report as HTML, CSV or Markdown."),
    "farm": ("mobilekit.cli.farm_cmd", "farm", "Run a bundle's benchmark on a device farm (AWS, Firebase, STF)."),
    "sim": ("mobilekit.cli.sim_cmd", "sim", "Serve a simulated Android phone over the ADB protocol (a test double)."),
}


NOISY_LOGGERS = (
    "torch.export",  # torch.export.load logs a whole traceback (at WARNING) before raising on a corrupt file
    "torch._export.serde.serialize",
    "torch.utils._pytree",
    "torch.onnx._internal.exporter._registration",
    "torch.onnx._internal.exporter._core",
    "ort_format_model",
    "ort_format_model.utils",
    "coremltools",
)


class LazyGroup(click.Group):
    """A click group that imports a subcommand's module only when that subcommand is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        try:
            return getattr(importlib.import_module(module), attr)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("mobilekit"):
                raise
            raise MobilekitError(
                f"`mobilekit {name}` needs the Python package {exc.name!r}, which is not installed.",
                hint="Install mobilekit's pinned environment: bash scripts/venv.sh mobilekit --help",
            ) from exc

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, help_) for name, (_, _, help_) in COMMANDS.items()])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="mobilekit")
def cli() -> None:
    """mobilekit: a trained PyTorch model in; quantized, validated mobile models and on-device benchmarks out.

    \b
    Start here:
      mobilekit demo                          the built-in digits model, end to end
      mobilekit export digits --out out/      ExecuTorch .pte (FP32 + INT8), validated, in a bundle
      mobilekit export mypkg.models:make_net --example-input 1x3x224x224:float32
      mobilekit validate out/digits_cnn
      mobilekit sim --port 5555 &             a simulated phone for trying the runner
      mobilekit bench out/digits_cnn --device 127.0.0.1:5555
    """


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script: run the CLI, turning user errors into messages."""
    import logging

    if not os.environ.get("MOBILEKIT_DEBUG"):
        # The converters print import-time chatter and their own progress bars through these loggers
        # and tqdm; mobilekit shows its own progress. The CLI is an application, so it may quiet them
        # (library code never touches logging configuration). MOBILEKIT_DEBUG=1 shows everything.
        os.environ.setdefault("TQDM_DISABLE", "1")
        for name in NOISY_LOGGERS:
            logging.getLogger(name).setLevel(logging.ERROR)
    try:
        # standalone_mode=False: click returns what the command returned, or the code of ctx.exit(code) /
        # click.exceptions.Exit (every command signals "ran with failures" that way); nothing else is an exit code.
        code = cli.main(args=argv, prog_name="mobilekit", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except SystemExit as exc:  # a command's own sys.exit(code)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except MobilekitError as exc:
        if os.environ.get("MOBILEKIT_DEBUG"):
            raise
        from mobilekit.cli.terminal import clean

        click.secho("error: ", fg="red", bold=True, err=True, nl=False)
        click.echo(clean(str(exc), keep_newlines=True), err=True)  # messages quote phones, bundles and databases
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 130
    return exit_code(code)


def exit_code(returned) -> int:
    """The process exit code for what ``cli.main(standalone_mode=False)`` returned: the int of a ``ctx.exit(code)``
    (0 ok, 1 built/ran with failures, 2 refused), else 0. A command's own return value is never an exit code."""
    return returned if isinstance(returned, int) and not isinstance(returned, bool) else 0


if __name__ == "__main__":
    sys.exit(main())
