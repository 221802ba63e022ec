"""Read a JUnit XML report with PyPI junitparser and print what it understood as one JSON object.

Usage: junit_read.py REPORT.xml
Used by tests/it to check smppdiag's --junit output with a real JUnit parser.
"""
import json
import sys

from junitparser import Error, Failure, JUnitXml, Skipped


def result_of(case):
    for r in case.result:
        kind = {Failure: "failure", Error: "error", Skipped: "skipped"}.get(type(r), type(r).__name__)
        return {"kind": kind, "message": r.message, "type": r.type, "text": r.text}
    return None


def main(path):
    xml = JUnitXml.fromfile(path)
    suites = []
    for suite in xml:
        suites.append({
            "name": suite.name,
            "tests": suite.tests,
            "failures": suite.failures,
            "errors": suite.errors,
            "skipped": suite.skipped,
            "time": suite.time,
            "cases": [
                {
                    "name": c.name,
                    "classname": c.classname,
                    "time": c.time,
                    "result": result_of(c),
                    "system_out": c.system_out,
                }
                for c in suite
            ],
        })
    print(json.dumps({"tests": xml.tests, "failures": xml.failures, "errors": xml.errors, "suites": suites}))


if __name__ == "__main__":
    main(sys.argv[1])
