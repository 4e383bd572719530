"""The `spatialcluster` command (placeholder, being written)."""

import typer

app = typer.Typer()


@app.command()
def demo(out: str = "outputs/demo", overwrite: bool = False):
    raise NotImplementedError("demo: work in progress")
