#!/usr/bin/env python3
"""Parses a sample report with real parsers: index.html with html.parser
(every element balanced, verdict, charts, each replay line as text, nothing
fetched from the network) and the JUnit file with xml.etree (one testcase per
durability x policy x mode, failures carrying the replay lines).

usage: check_report.py SAMPLE_EXE WORK_DIR pass|fail|hostile
"""
import html.parser
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "param", "source", "track", "wbr"}


class StrictParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.counts = [], [], {}
        self.pre_texts, self.word_texts = [], []
        self._capture = None

    def handle_starttag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1
        for name, value in attrs:
            if name in ("src", "href") or (value and ("url(" in value or "https:" in value)):
                self.errors.append(f"<{tag} {name}={value!r}> may fetch from the network")
        if tag == "link":
            self.errors.append("<link> element")
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "pre":
            self._capture = self.pre_texts
            self.pre_texts.append("")
        if tag == "div" and ("class", "word") in attrs:
            self._capture = self.word_texts
            self.word_texts.append("")

    def handle_startendtag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}> "
                               f"at {self.getpos()}")
            return
        self.stack.pop()
        if tag in ("pre", "div"):
            self._capture = None

    def handle_data(self, data):
        if self._capture is not None:
            self._capture[-1] += data


def shown(text):
    """`text` as the writers render it: characters XML 1.0 forbids become U+FFFD."""
    return "".join("\ufffd" if (ord(c) < 0x20 and c not in "\t\n\r") or c == "\x7f" else c
                   for c in text)


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def main():
    exe, work, kind = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    report, junit = os.path.join(work, "report"), os.path.join(work, "junit.xml")
    subprocess.run([exe, report, junit, kind], check=True)
    with open(os.path.join(report, "summary.json"), encoding="utf-8") as f:
        summary = json.load(f)
    with open(os.path.join(report, "index.html"), encoding="utf-8") as f:
        page = f.read()

    parser = StrictParser()
    parser.feed(page)
    parser.close()
    if parser.errors:
        fail("index.html: " + "; ".join(parser.errors[:5]))
    if parser.stack:
        fail(f"index.html: unclosed elements {parser.stack}")
    expected_verdict = "PASS" if summary["violations"] == 0 else "FAIL"
    if parser.word_texts != [expected_verdict]:
        fail(f"index.html: verdict {parser.word_texts}, expected {expected_verdict}")
    if parser.counts.get("svg", 0) != 2:
        fail(f"index.html: {parser.counts.get('svg', 0)} SVG charts, expected 2")
    if parser.counts.get("script", 0) != 1:
        fail("index.html: a <script> element beyond the page's own copy script")
    for violation in summary["violations_list"]:
        if shown(violation["replay"]) not in parser.pre_texts:
            fail(f"index.html: replay line of {violation['id']} is not shown as text")

    root = ET.parse(junit).getroot()
    if root.tag != "testsuites":
        fail("junit: root is not <testsuites>")
    suites = root.findall("testsuite")
    if len(suites) != 1:
        fail("junit: expected one <testsuite>")
    suite = suites[0]
    cases = suite.findall("testcase")
    combos = len(summary["durability"]) * len(summary["policies"]) * len(summary["modes"])
    if len(cases) != combos or int(suite.get("tests")) != combos:
        fail(f"junit: {len(cases)} testcases, tests={suite.get('tests')}, expected {combos}")
    for attribute in ("tests", "failures", "errors", "time"):
        if suite.get(attribute) is None or root.get(attribute) is None:
            fail(f"junit: <testsuite>/<testsuites> lacks {attribute}")
    failed = [c for c in cases if c.find("failure") is not None]
    if int(suite.get("failures")) != len(failed):
        fail("junit: failures attribute disagrees with the testcases")
    if any(c.get("classname") != "dbx-torture." + shown(summary["target"]) for c in cases):
        fail("junit: a testcase's classname is not dbx-torture.<target>")
    failure_text = "".join((c.find("failure").text or "") for c in failed)
    for violation in summary["violations_list"]:
        if shown(violation["replay"]) not in failure_text:
            fail(f"junit: replay line of {violation['id']} missing from the failures")
    print(f"OK: {kind} report parses ({len(cases)} testcases, {len(failed)} failing)")


if __name__ == "__main__":
    main()
