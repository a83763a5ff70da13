from django.core.management.base import BaseCommand, CommandError

from privacy.rotation import private_documents_rotate


class Command(BaseCommand):
    help = ("Re-encrypt every private document with the first key of PB_DOCUMENT_KEYS (and encrypt any plaintext "
            "left from before encryption). Resumable: run it again after an interruption.")

    def handle(self, *args, **options):
        report = private_documents_rotate()
        self.stdout.write(f"encrypted (was plaintext): {report.encrypted}\n"
                          f"rotated to the first key: {report.rotated}\n"
                          f"already on the first key: {report.current}\n"
                          f"failed (no key opens them): {len(report.failed)}")
        if report.failed:
            raise CommandError("These documents cannot be decrypted with any key in PB_DOCUMENT_KEYS (left as they "
                               "are; add the key they were written with):\n  " + "\n  ".join(report.failed))
