"""The progress bar a class's grading shows (tqdm), or none."""


def bar(total, shown, desc):
    from tqdm.auto import tqdm
    return tqdm(total=total, disable=not shown, desc=desc, unit="notebook")
