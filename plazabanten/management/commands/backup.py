"""Write a backup of the database and the media now (bin/backup); the beat runs the same every night."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from plazabanten import backup


class Command(BaseCommand):
    help = "Back up the database, the photos and the private documents into the backups storage."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="List the good backups, newest first.")
        parser.add_argument("--prune", action="store_true",
                            help=f"Afterwards keep only the newest PB_BACKUP_KEEP ({settings.PB_BACKUP_KEEP}).")

    def handle(self, *args, **options):
        if options["list"]:
            for name in backup.backup_names():
                self.stdout.write(name)
            return
        try:
            run = backup.backup_create()
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backup {run.name}: {run.size_bytes / 1e6:.1f} MB in {run.seconds:.1f} s.")
        if options["prune"]:
            for name in backup.backup_prune(keep=settings.PB_BACKUP_KEEP):
                self.stdout.write(f"Pruned {name}.")
