"""Folders the grader writes into its workspace."""
import shutil


def reset(folder):
    """``folder`` fresh and empty; a symbolic link in its place is removed, never followed."""
    if folder.is_symlink():
        folder.unlink()
    elif folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
