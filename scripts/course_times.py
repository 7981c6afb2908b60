"""Count each notebook's class time and self-study time, section by section: the one source of times.

    python scripts/course_times.py            # write docs/course_times.json and the times table of docs/teaching.md
    python scripts/course_times.py --check    # exit 1 if either is not what the notebooks give now
    python scripts/course_times.py --print notebooks/07_exercises.ipynb    # section by section; writes nothing

No class was watched: the minutes are *counted* from each master notebook by the model below, one
number per thing a student meets, summed over each `##` section. Class time is what the main path
takes in a class: the text read at a steady pace, every code cell run and its output read, every
figure looked at, every interactive view played with, every Think! discussed, every "Your turn"
exercise done, every prediction written. Self-study time is what a student adds alone, after the
class: the collapsed sidebars, the "Check your understanding" questions with their answers, the
"Try this" items. Not counted: hints and solutions behind a click, the cells that check answers,
the run time itself (seconds: docs/run_times.json). A cell whose work the model cannot count (an
open challenge, a report) says its planned minutes in its metadata, ``"heatex": {"planned_minutes":
{"class": 25, "self_study": 60}}``, and the plan replaces what the model would count for it.

The notebooks' first cells (scripts/launch_cell.py) and the teacher's guide (its table between the
``course-times`` markers) read docs/course_times.json, as the README's notebooks table should
(``load()``); tests/course/test_course.py checks they agree with the notebooks. Run this after changing a notebook, then
``make launch-cell``.
"""

import argparse
import json
import pathlib
import re
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "docs" / "course_times.json"
GUIDE = ROOT / "docs" / "teaching.md"
GENERATED = ("launch", "launch-links", "course-footer")     # scripts/launch_cell.py's cells: not the notebook's own
START, END = "<!-- course-times -->", "<!-- /course-times -->"

# Minutes per thing a student meets. A model, not a measurement: see the module's docstring.
MODEL = {
    "words_per_minute": 100,   # the text, with its equations and code to follow (the review read 120 without them)
    "code_cell": 1.0,          # read a code cell, run it, read what it prints
    "figure": 1.0,             # look at a figure: each image a cell shows, or an image in the text
    "interactive": 3.0,        # play with a slider, a scrubber, a demo or an animation
    "think": 2.0,              # a Think! question, answered before its answer is opened
    "your_turn": 8.0,          # a "Your turn" exercise: write the function, run its check, open a hint
    "prediction": 2.0,         # write a prediction before its measurement
    "written_answer": 5.0,     # write an answer in the blank cell under a question
    "recall_question": 1.5,    # self-study: a "Check your understanding" question, then its answer
    "try_this": 5.0,           # self-study: a "Try this" item
}
COUNTED = ("class_words", "self_study_words", "code_cells", "figures", "interactive", "think", "your_turn",
           "prediction", "written_answer", "recall_question", "try_this")


def words(text):
    """Words as the course counts them: HTML tags and link targets dropped, split on whitespace."""
    return len(re.sub(r"<[^>]+>|\]\([^)]*\)", " ", text).split())


DETAILS = re.compile(r"<details>\s*<summary>(.*?)</summary>(.*?)</details>", re.S)


def _markdown_parts(source):
    """(text shown, [(summary, body) of each collapsed block]) of a markdown cell."""
    blocks = [(m[1], m[2]) for m in DETAILS.finditer(source)]
    return DETAILS.sub(" ", source), blocks


def _split_sections(source):
    """A markdown cell's text cut at its `## ` headings: [(heading or None, text)]."""
    parts, heading, lines = [], None, []
    for line in source.splitlines():
        if line.startswith("## "):
            parts.append((heading, "\n".join(lines)))
            heading, lines = line[3:].strip(), []
        lines.append(line)
    parts.append((heading, "\n".join(lines)))
    return [(h, t) for h, t in parts if h is not None or t.strip()]


def _numbered_items(text, after):
    """How many numbered items follow the heading or bold label ``after`` in text (up to the next heading)."""
    found = re.search(rf"^(#+ |\*\*){re.escape(after)}", text, re.M | re.I)
    if not found:
        return 0
    rest = text[found.end():]
    stop = re.search(r"^#+ ", rest, re.M)
    return len(re.findall(r"^\d+\. ", rest[:stop.start()] if stop else rest, re.M))


ALONE = re.compile(r"^(#+ |\*\*)(Check your understanding|Try this)", re.M | re.I)


def _count_markdown(text, count, alone):
    """Count a piece of markdown; from a "Check your understanding" or "Try this" heading on (or all of
    it, if ``alone``: such a heading came earlier in the section), into self-study. Returns ``alone``."""
    start = ALONE.search(text)
    if start is not None and not alone:
        _count_markdown(text[:start.start()], count, False)
        return _count_markdown(text[start.start():], count, True)
    shown, blocks = _markdown_parts(text)
    count["self_study_words" if alone else "class_words"] += words(shown)
    for summary, body in blocks:
        if summary.strip().lower().startswith("hint"):
            continue                                       # read only when stuck
        if summary.strip().lower().startswith("sidebar") or alone:
            count["self_study_words"] += words(summary) + words(body)
        else:                                              # answers to Think!, what to look for, ...
            count["class_words"] += words(summary) + words(body)
    count["think"] += len(re.findall(r"Think!", shown))
    count["your_turn"] += len(re.findall(r"^#+ .*Your turn \d+\.\d+", shown, re.M))
    count["figures"] += len(re.findall(r"!\[[^\]]*\]\(", shown))
    count["recall_question"] += _numbered_items(shown, "Check your understanding")
    count["try_this"] += _numbered_items(shown, "Try this")
    return alone


def _count_code(cell, count):
    tags = cell.metadata.get("tags", [])
    hidden = cell.metadata.get("jupyter", {}).get("source_hidden", False)
    count["prediction"] += cell.source.count("hl.predict(")
    if "solution" in tags or hidden:      # the work of an exercise (counted with it), or a check
        return
    count["code_cells"] += 1
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if "image/png" in data or "image/jpeg" in data or "image/gif" in data:
            count["figures"] += 1
        widget = "application/vnd.jupyter.widget-view+json" in data
        text = "".join(data.get("text/plain", ""))
        if (widget and not text.startswith("training ")) or "<script" in "".join(data.get("text/html", "")):
            count["interactive"] += 1


def minutes(count):
    """(class minutes, self-study minutes) of a count."""
    per_word = 1 / MODEL["words_per_minute"]
    self_study = (count["self_study_words"] * per_word + count["recall_question"] * MODEL["recall_question"]
                  + count["try_this"] * MODEL["try_this"])
    in_class = (count["class_words"] * per_word + count["code_cells"] * MODEL["code_cell"]
                + count["figures"] * MODEL["figure"] + count["interactive"] * MODEL["interactive"]
                + count["think"] * MODEL["think"] + count["your_turn"] * MODEL["your_turn"]
                + count["prediction"] * MODEL["prediction"] + count["written_answer"] * MODEL["written_answer"])
    return in_class, self_study


def sections(nb):
    """The notebook's `##` sections in order: [{"section", "class_minutes", "self_study_minutes", "counted"}].

    Everything before the first `##` heading (title, objectives, setup) is the section "start"."""
    found = []

    def current(heading):
        if heading is not None or not found:
            found.append({"section": heading or "start", "count": dict.fromkeys(COUNTED, 0), "planned": [0.0, 0.0]})
        return found[-1]

    alone = False        # past a "Check your understanding" or "Try this" heading of the section
    for cell in nb.cells:
        if cell.get("id") in GENERATED or "teacher-only" in cell.metadata.get("tags", []):
            continue
        planned = cell.metadata.get("heatex", {}).get("planned_minutes")
        if cell.cell_type == "markdown":
            for heading, text in _split_sections(cell.source):
                section = current(heading)
                alone = alone and heading is None
                if planned is None:
                    alone = _count_markdown(text, section["count"], alone)
            if planned is None and "solution" in cell.metadata.get("tags", []):
                section["count"]["written_answer"] += 1
        else:
            section = current(None)
            if planned is None:
                _count_code(cell, section["count"])
        if planned is not None:
            section["planned"][0] += planned.get("class", 0)
            section["planned"][1] += planned.get("self_study", 0)
    out = []
    for section in found:
        in_class, self_study = minutes(section["count"])
        out.append({"section": section["section"],
                    "class_minutes": round(in_class + section["planned"][0], 1),
                    "self_study_minutes": round(self_study + section["planned"][1], 1),
                    "counted": {k: v for k, v in section["count"].items() if v},
                    **({"planned_minutes": {"class": section["planned"][0], "self_study": section["planned"][1]}}
                       if any(section["planned"]) else {})})
    return out


def by_five(value):
    """Minutes to the nearest 5, at least 5."""
    return max(5, 5 * round(value / 5))


def notebook_times(nb):
    parts = sections(nb)
    return {"class_minutes": by_five(sum(s["class_minutes"] for s in parts)),
            "self_study_minutes": by_five(sum(s["self_study_minutes"] for s in parts)),
            "sections": parts}


def masters():
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def course_times():
    """The whole json: the model and every master notebook's times."""
    return {"made_by": "scripts/course_times.py (counted from the notebooks, not observed: see its docstring)",
            "model": MODEL,
            "notebooks": {p.relative_to(ROOT).as_posix(): notebook_times(nbformat.read(p, as_version=4))
                          for p in masters()}}


def load():
    """{notebook path: {"class_minutes", "self_study_minutes", "sections"}} from docs/course_times.json ({} if absent)."""
    if not OUT.exists():
        return {}
    return json.loads(OUT.read_text(encoding="utf-8"))["notebooks"]


def guide_table(times):
    """The teacher's guide's table of times, as markdown (between the course-times markers)."""
    import launch_cell      # its title_of; imported here, as launch_cell imports this module

    lines = [START,
             "| notebook | in class | on one's own, after it | the longest sections in class |",
             "|---|---|---|---|"]
    total_class = total_self = 0
    for path, entry in times.items():
        longest = sorted(entry["sections"], key=lambda s: -s["class_minutes"])[:2]
        named = "; ".join(f"{s['section']} ({s['class_minutes']:.0f})" for s in longest)
        lines.append(f"| {launch_cell.title_of(ROOT / path)} | {entry['class_minutes']} min | {entry['self_study_minutes']} min | "
                     f"{named} |")
        total_class += entry["class_minutes"]
        total_self += entry["self_study_minutes"]
    lines.append(f"| **all notebooks** | **{total_class} min** | **{total_self} min** | |")
    lines.append(END)
    return "\n".join(lines)


def guide_with_table(text, times):
    if START not in text or END not in text:
        raise ValueError(f"{GUIDE.name} has no {START} ... {END} markers for the table of times")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + guide_table(times) + tail


def dumps(data):
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the json or the guide is stale")
    parser.add_argument("--print", nargs="+", metavar="NOTEBOOK", dest="only",
                        help="print these notebooks' times section by section; write nothing")
    args = parser.parse_args(argv)
    if args.only:
        for path in args.only:
            entry = notebook_times(nbformat.read(path, as_version=4))
            print(f"{path}: about {entry['class_minutes']} min in class, {entry['self_study_minutes']} on one's own")
            for s in entry["sections"]:
                print(f"  {s['class_minutes']:5.1f} {s['self_study_minutes']:5.1f}  {s['section'][:50]:50s} {s['counted']}")
        return 0
    data = course_times()
    guide = guide_with_table(GUIDE.read_text(encoding="utf-8"), data["notebooks"])
    if args.check:
        stale = [p.name for p, text in ((OUT, dumps(data)), (GUIDE, guide))
                 if not p.exists() or p.read_text(encoding="utf-8") != text]
        for name in stale:
            print(f"{name} does not hold the times the notebooks give now: run python scripts/course_times.py")
        return 1 if stale else 0
    OUT.write_text(dumps(data), encoding="utf-8")
    GUIDE.write_text(guide, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} and the table of times in {GUIDE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
