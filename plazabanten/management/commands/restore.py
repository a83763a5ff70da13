"""Bring the database and the media back from a backup (bin/restore), and check what came back."""

from django.core.management.base import BaseCommand, CommandError

from plazabanten import backup


class Command(BaseCommand):
    help = "Restore a backup into an empty database and empty storages, then check counts and ledger invariants."
    requires_system_checks = []  # the database is empty until the restore: checks that query it cannot run yet

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="The backup to restore (default: the newest good one).")
        parser.add_argument("--force", action="store_true",
                            help="Replace everything in a database and storages that are not empty.")

    def handle(self, *args, name=None, force=False, **options):
        names = backup.backup_names()
        if not names:
            raise CommandError("No good backup found in the backups storage (PB_BACKUP_DIR / PB_BACKUP_BUCKET).")
        name = name or names[0]
        try:
            report = backup.backup_restore(name=name, force=force)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        counts = ", ".join(f"{label} {count}" for label, count in report.counts.items())
        files = ", ".join(f"{label} {count}" for label, count in report.files.items())
        self.stdout.write(f"Restored {name}: {counts}; files: {files}.")
        if report.problems:
            raise CommandError("The restored data does not check out:\n" + "\n".join(report.problems))
        self.stdout.write("Counts match the backup and the ledger invariants hold.")
