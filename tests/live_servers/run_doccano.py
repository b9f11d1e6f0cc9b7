"""Run doccano's web server or task queue bound to 127.0.0.1 (``doccano webserver`` binds every
address). Runs inside doccano's own virtualenv:

    python run_doccano.py init USER PASSWORD | web PORT | task
"""
import sys
from argparse import Namespace

from backend import cli  # sets DOCCANO_HOME, DATABASE_URL and the settings module, as `doccano` does


def web(port: int) -> None:
    import gunicorn.app.base
    import gunicorn.util

    class App(gunicorn.app.base.BaseApplication):
        def load_config(self) -> None:
            for key, value in {"bind": f"127.0.0.1:{port}", "workers": 2, "chdir": cli.base,
                               "loglevel": "info", "capture_output": True}.items():
                self.cfg.set(key, value)

        def load(self):
            return gunicorn.util.import_app("config.wsgi")

    App().run()


if __name__ == "__main__":
    import django

    django.setup()
    mode = sys.argv[1]
    if mode == "init":
        cli.command_db_init(Namespace())
        cli.command_user_create(Namespace(username=sys.argv[2], password=sys.argv[3], email="annotator@example.org"))
    elif mode == "web":
        web(int(sys.argv[2]))
    elif mode == "task":
        cli.command_run_task_queue(Namespace(concurrency=1))
    else:
        raise SystemExit(f"unknown mode {mode!r}: init, web or task")
