"""The similarity report: one self-contained HTML page (no script, no network) and a CSV."""
import copy
import csv
import html
import io
from datetime import datetime, timezone

from copydetect.detector import compare_files
from copydetect.utils import highlight_overlap

from .similarity import KGRAM, MAX_SHARE, rarity

CAUTION = ("Evidence to look at, not a verdict. This page ranks pairs of students by the rare code they share "
           "and the identical wrong values their tests observed. Honest students share code too (the same "
           "textbook, study group or hint); read the answers side by side and hear the students before "
           "concluding anything. It was computed on this machine; nothing was sent anywhere.")
NO_VALUES = ("Identical wrong values were not compared: they need the observed values nncourse grade "
             "writes (WORKSPACE/observed/{id}/). Grade the class first and pass the workspace, or pass "
             "--observed DIR. Only the code was compared.")

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 1400px; padding: 0 1em; color: #222; }
.caution { border: 2px solid #b45309; background: #fffbeb; padding: .7em 1em; font-size: 16px; }
.note { border-left: 4px solid #2563eb; background: #eff6ff; padding: .5em 1em; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.side { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
.side h5 { margin: .2em 0; }
pre { background: #f6f6f6; padding: .6em; overflow-x: auto; font-size: 13px; margin: 0; white-space: pre-wrap; }
mark { background: #fca5a5; }
section.pair { border-top: 1px solid #999; margin-top: 2em; }
"""


def write_report(result, folder, top=50):
    """similarity-<id>.html and .csv in ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / f"similarity-{result.assignment.id}.html"
    table = folder / f"similarity-{result.assignment.id}.csv"
    page.write_text(render(result, top), encoding="utf-8")
    table.write_text(render_csv(result), encoding="utf-8")
    return page, table


def _names(result, pair):
    return result.students[pair.a].name, result.students[pair.b].name


def _shared_code(result, pair):
    """[(exercise, evidence)] of the exercises where the pair shares fingerprints that count."""
    return [(e, float(result.code[e][pair.a, pair.b])) for e in result.exercises if result.code[e][pair.a, pair.b] > 0]


def _shared_values(result, pair):
    return [c for c in result.clusters if c.weight > 0 and pair.a in c.members and pair.b in c.members]


def render_csv(result):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["rank", "student_a", "student_b", "evidence", "code", "values", "exercises", "cells"])
    for rank, pair in enumerate(result.pairs, 1):
        writer.writerow([rank, *_names(result, pair), f"{pair.evidence:.1f}", f"{pair.code:.1f}", f"{pair.values:.1f}",
                         ";".join(f"{e}:{v:.1f}" for e, v in _shared_code(result, pair)),
                         ";".join(c.cell for c in _shared_values(result, pair))])
    return out.getvalue()


def render(result, top):
    e = html.escape
    a = result.assignment
    current = [s for s in result.students if not s.reference]
    parts = [f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
             f'<title>Similarity: {e(a.id)}</title><style>{STYLE}</style></head><body>',
             f'<p class="caution" id="caution"><strong>{e(CAUTION.split(". ")[0])}.</strong> '
             f'{e(CAUTION.split(". ", 1)[1])}</p>',
             f'<h1>Similarity of {e(a.title)} ({e(a.id)})</h1>',
             f'<p>{len(current)} students compared, {len(result.students) - len(current)} answers of earlier terms '
             f'compared with them, {len(result.exercises)} exercises (solution cells only), '
             f'{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC. Observed values: '
             f'{e(result.observed) if result.observed else "none"}.</p>']
    if not result.observed:
        parts.append(f'<p class="note" id="no-values">{e(NO_VALUES.format(id=a.id))}</p>')
    parts.append(_pairs_table(result, top))
    parts += [_pair_section(result, rank, pair) for rank, pair in enumerate(result.pairs[:top], 1)]
    parts += [_clusters(result), _problems(result), _how_to_read(), "</body></html>\n"]
    return "\n".join(parts)


def _pairs_table(result, top):
    e = html.escape
    if not result.pairs:
        return '<h2>Pairs</h2><p id="pairs">No pair shares any code or wrong value that is rare in this class.</p>'
    rows = []
    for rank, pair in enumerate(result.pairs[:top], 1):
        first, second = _names(result, pair)
        rows.append(f'<tr><td class="num">{rank}</td><td><a href="#pair-{rank}">{e(first)}</a></td><td>{e(second)}</td>'
                    f'<td class="num">{pair.evidence:.1f}</td><td class="num">{pair.code:.1f}</td>'
                    f'<td class="num">{pair.values:.1f}</td>'
                    f'<td>{e(", ".join(x for x, _ in _shared_code(result, pair)))}</td></tr>')
    more = (f"<p>{len(result.pairs) - top} more pairs with some evidence are in the CSV.</p>"
            if len(result.pairs) > top else "")
    return ('<h2>Pairs, strongest evidence first</h2><table id="pairs"><tr><th>#</th><th>student</th>'
            '<th>student</th><th>evidence</th><th>rare shared code</th><th>identical wrong values</th>'
            '<th>exercises with rare shared code</th></tr>' + "".join(rows) + "</table>" + more)


def _pair_section(result, rank, pair):
    e = html.escape
    first, second = _names(result, pair)
    parts = [f'<section class="pair" id="pair-{rank}"><h3>{rank}. {e(first)} and {e(second)}: evidence '
             f'{pair.evidence:.1f} (code {pair.code:.1f}, values {pair.values:.1f})</h3>']
    for exercise, evidence in _shared_code(result, pair):
        left, right, rarity = _highlighted(result, pair, exercise)
        parts.append(f'<h4>{e(exercise)}: {evidence:.1f} ({e(rarity)})</h4><div class="side">'
                     f'<div><h5>{e(first)}</h5><pre>{left}</pre></div>'
                     f'<div><h5>{e(second)}</h5><pre>{right}</pre></div></div>')
    for cluster in _shared_values(result, pair):
        parts.append(f'<h4>{e(cluster.cell)}: identical wrong values, {cluster.weight:.1f} '
                     f'({_among(len(cluster.members), cluster.population, "graded notebooks")})</h4>'
                     f'<pre class="values">{e(cluster.shown)}</pre>')
    return "".join(parts) + "</section>"


def _among(count, population, what):
    return f"only these two of {population} {what}" if count == 2 else f"{count} of {population} {what}"


def _highlighted(result, pair, exercise):
    """Both answers as HTML with the fingerprints that count marked, and how rare they are."""
    prints = [result.students[i].prints[exercise] for i in (pair.a, pair.b)]
    weights = result.weights[exercise]
    shared = prints[0].hashes & prints[1].hashes & weights.keys()
    kept = []
    for fp in prints:
        fp = copy.copy(fp)
        fp.hash_idx = {h: fp.hash_idx[h] for h in shared}
        fp.hashes = set(shared)
        kept.append(fp)
    _, _, slices = compare_files(*kept)
    marked = [highlight_overlap(fp.raw_code, where, "<mark>", "</mark>", escape_html=True)[0]
              for fp, where in zip(prints, slices)]
    counts = [result.populations[exercise][h] for h in shared]
    answers = result.populations[exercise][""]
    rarity = (f"{len(shared)} shared fingerprints that count; the rarest is in "
              f"{_among(min(counts), answers, 'answers')}, the commonest in {max(counts)}")
    return marked[0], marked[1], rarity


def _clusters(result):
    e = html.escape
    if not result.observed:
        return ""
    if not result.clusters:
        return '<h2>Identical wrong values</h2><p id="clusters">No two students observed the same wrong values.</p>'
    students = result.students
    rows = [f'<tr><td>{e(c.cell)}</td><td>{e(", ".join(students[i].name for i in c.members))}</td>'
            f'<td>{_among(len(c.members), c.population, "graded notebooks")}</td><td class="num">{c.weight:.1f}</td>'
            f'<td><pre>{e(c.shown)}</pre></td></tr>' for c in result.clusters]
    return ('<h2>Identical wrong values, per test cell</h2><p>Students whose test cell observed the same wrong '
            'numbers on the same inputs. A weight of 0 marks a wrong answer so common that it is evidence of '
            'nothing (a usual misconception).</p><table id="clusters"><tr><th>test cell</th><th>students</th>'
            '<th>how many</th><th>weight</th><th>the values</th></tr>' + "".join(rows) + "</table>")


def _problems(result):
    e = html.escape
    if not result.problems:
        return ""
    rows = "".join(f"<tr><td>{e(name)}</td><td>{e(why)}</td><td>{e(where)}</td></tr>"
                   for name, where, why in result.problems)
    return ('<h2>Not compared</h2><table id="problems"><tr><th>student</th><th>why</th><th>file</th></tr>'
            + rows + "</table>")


def _how_to_read():
    return f"""<h2>How to read this page</h2>
<p>Only solution cells are compared. Each answer is normalised as copydetect does (every name
becomes V, every string S; comments, blank lines and spacing go) and cut into overlapping runs
of {KGRAM} characters (fingerprints). The release's skeleton, the source's own solution and the
test cells are subtracted: code everyone was given counts nothing, and neither does an answer
identical to the source's solution.</p>
<p><b>Rarity.</b> Something that k of the n answers share counts log2({MAX_SHARE:g} (n - 1) / (k - 1)):
shared by only two of 300 it counts {rarity(2, 300):.1f}; by 76 of 300, {rarity(76, 300):.1f}; by half
the class or more, 0. Each fingerprint is weighed so. <b>Per exercise</b>, a pair's shared
fingerprints are added up by weight, and the pair's evidence on that exercise is the same rule
applied to how many classmates are at least as close: if no one else shares as much with
either student, the pair counts as "two of n". So a whole shared answer is one piece of
evidence, and one shared textbook line counts little. <b>identical wrong values</b>: a test cell
in which both observed the same wrong numbers on the same inputs counts the rarity of that
cluster among the notebooks graded; a common mistake counts little, and nothing once half of them
share it. <b>evidence</b> adds
up the exercises and test cells: only a pair that shares rare code (or wrong values) in several
exercises gets a high score.</p>
<p>Marked code is the shared code that counts. High evidence says where to look: two
students who wrote the same rare things. It cannot say who wrote them first, or whether they
worked together with permission.</p>"""
