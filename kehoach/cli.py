"""The kehoach command."""

import typer

app = typer.Typer(no_args_is_help=True, help="kehoach: chạy kế hoạch của tỉnh trên Temporal.")


@app.callback()
def main() -> None:
    """kehoach: run a provincial plan on Temporal."""
