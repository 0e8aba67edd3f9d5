# SPDX-License-Identifier: GPL-2.0
"""TAP output: one line per test and boot, one summary line at the end."""


class Tap:
    def __init__(self, path, total):
        self.n = 0
        self.counts = {"passed": 0, "failed": 0, "skipped": 0}
        self.file = open(path, "w") if path else None
        self.emit("TAP version 13")
        self.emit(f"1..{total}")

    def emit(self, line):
        print(line, flush=True)
        if self.file:
            self.file.write(line + "\n")
            self.file.flush()

    def result(self, name, verdict, detail=(), reason=""):
        self.n += 1
        if verdict == "skip":
            self.counts["skipped"] += 1
            self.emit(f"ok {self.n} {name} # SKIP {reason}".rstrip())
        elif verdict == "pass":
            self.counts["passed"] += 1
            self.emit(f"ok {self.n} {name}")
        else:
            self.counts["failed"] += 1
            self.emit(f"not ok {self.n} {name}" + (f" # {reason}" if reason else ""))
        for line in detail:
            self.emit("#   " + line.rstrip("\n"))

    def close(self):
        c = self.counts
        self.emit(f"{c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped")
        if self.file:
            self.file.close()


def excerpt(lines, pattern=None, ctx=3, limit=40):
    """The lines around each pattern match, or the tail."""
    if pattern is None:
        return lines[-limit:]
    keep = set()
    for i, line in enumerate(lines):
        if pattern.search(line):
            keep.update(range(max(0, i - ctx), min(len(lines), i + ctx * 4)))
    return [lines[i] for i in sorted(keep)][:limit]
