"""CLI: ``cocontrol serve`` (the platform service) and ``cocontrol db upgrade|downgrade|check``."""

from __future__ import annotations

from pathlib import Path

import typer

from cocontrol import i18n
from cocontrol.cli.common import EXIT_USAGE, console, err_console, say, ui_lang


def _settings_text(e) -> str:
    """A settings error in the command's language (pydantic's errors by type)."""
    from pydantic import ValidationError

    lang = ui_lang()
    if not isinstance(e, ValidationError):
        return i18n.tr(e.args[0] if e.args else str(e), lang)
    return "; ".join((".".join(map(str, err["loc"])) + ": " if err["loc"] else "")
                     + i18n.tr(i18n.pydantic_msg(err), lang) for err in e.errors())


def _settings(**kw):
    from pydantic import ValidationError

    from cocontrol.service.settings import Settings

    try:
        return Settings(**{k: v for k, v in kw.items() if v is not None})
    except (ValidationError, ValueError) as e:
        err_console.print("[bold red]" + i18n.t("msg.cli_bad_settings", ui_lang()) + "[/] "
                          + _settings_text(e), highlight=False)
        raise typer.Exit(EXIT_USAGE) from None


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_cmd(
        host: str = typer.Option("127.0.0.1", help="address to listen on"),
        port: int = typer.Option(8000, help="port (0: a free port, printed at start)"),
        database: str | None = typer.Option(None, "--database",
                                            help="sqlite:///file.db or postgresql://user@host/db "
                                                 "(default: SQLite under --data-dir)"),
        data_dir: Path = typer.Option(Path("cocontrol-data"), help="database, results, logs"),
        dask: str | None = typer.Option(None, "--dask", help="tcp://host:port of a Dask "
                                        "scheduler, or 'local' for an in-process LocalCluster"),
        workers: int = typer.Option(2, help="processes of the local job executor"),
        demo: bool = typer.Option(False, "--demo", help="load the demo organisations, users "
                                  "and projects on first start"),
        environment: str = typer.Option("development", help="development or production"),
    ) -> None:
        """Start the platform service (REST API, jobs, results store)."""
        import uvicorn

        from cocontrol.service.app import create_app

        settings = _settings(host=host, port=port, database_url=database, data_dir=data_dir,
                             dask_address=dask, workers=workers, demo=demo,
                             environment=environment)
        try:
            application = create_app(settings)
        except ValueError as e:
            err_console.print("[bold red]" + i18n.t("msg.cli_cannot_start", ui_lang()) + "[/] "
                              + i18n.tr(e.args[0] if e.args else str(e), ui_lang()),
                              highlight=False)
            raise typer.Exit(EXIT_USAGE) from None
        import socket

        try:  # bound here, so that with --port 0 the printed address is the real one
            family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
            sock = socket.create_server((settings.host, settings.port), family=family,
                                        backlog=2048)
        except OSError as e:
            err_console.print("[bold red]" + i18n.t("msg.cli_cannot_listen", ui_lang(),
                                                    host=settings.host, port=settings.port)
                              + "[/] " + str(e), highlight=False)
            raise typer.Exit(EXIT_USAGE) from None
        host, bound = sock.getsockname()[:2]
        host = f"[{host}]" if ":" in host else host
        console.print(f"cocontrol serve: http://{host}:{bound}/api "
                      f"(database {settings.db_url.split('@')[-1]}, executor "
                      f"{settings.executor})", highlight=False, soft_wrap=True)
        server = uvicorn.Server(uvicorn.Config(application, log_level="info"))
        server.run(sockets=[sock])

    db = typer.Typer(help="the service database: migrations", no_args_is_help=True)
    app.add_typer(db, name="db")

    def _url(database: str | None, data_dir: Path) -> str:
        return _settings(database_url=database, data_dir=data_dir).db_url

    @db.command("upgrade")
    def upgrade_cmd(database: str | None = typer.Option(None, "--database"),
                    data_dir: Path = typer.Option(Path("cocontrol-data")),
                    revision: str = typer.Option("head")) -> None:
        """Migrate the database up to REVISION (default: the newest)."""
        from cocontrol.service import migrate

        migrate.upgrade(_url(database, data_dir), revision)

    @db.command("downgrade")
    def downgrade_cmd(revision: str = typer.Argument(..., help="revision, or base"),
                      database: str | None = typer.Option(None, "--database"),
                      data_dir: Path = typer.Option(Path("cocontrol-data"))) -> None:
        """Migrate the database down to REVISION."""
        from cocontrol.service import migrate

        migrate.downgrade(_url(database, data_dir), revision)

    @db.command("check")
    def check_cmd(database: str | None = typer.Option(None, "--database"),
                  data_dir: Path = typer.Option(Path("cocontrol-data"))) -> None:
        """Fail when the models and the migrations disagree (alembic check)."""
        from cocontrol.service import migrate

        migrate.check(_url(database, data_dir))
        say("msg.cli_migrations_match")
