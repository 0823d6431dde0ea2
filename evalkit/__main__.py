from evalkit.cli import run

run()
