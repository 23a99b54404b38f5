"""Drive the NativeTok Java kernel through jupyter_client and report each check.

KernelIntegrationTest runs this script with Debian's /usr/bin/python3 and JUPYTER_PATH pointing
at a kernelspec for the kernel under test. The script starts the kernel once, runs every check
against it, then executes a small notebook with `jupyter nbconvert --execute`, which starts the
kernel a second time. It prints one PASS or FAIL line per check and exits with status 1 when any
check failed.

Usage:
    kernel_checks.py --kernel-name NAME --notebook NOTEBOOK --work-dir DIR [--jupyter PATH]
"""

import argparse
import base64
import json
import signal
import struct
import subprocess
import sys
import time
import traceback

from jupyter_client import KernelManager

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class CheckFailed(Exception):
    """A check found that the kernel's reply differs from the expected one."""


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


class Cell:
    """Reply and IOPub messages of one executed cell."""

    def __init__(self, reply, messages, seconds):
        self.reply = reply["content"]
        self.messages = messages
        self.seconds = seconds

    @property
    def status(self):
        return self.reply["status"]

    def of_type(self, msg_type):
        return [content for kind, content in self.messages if kind == msg_type]

    def stream_text(self, name="stdout"):
        return "".join(c["text"] for c in self.of_type("stream") if c["name"] == name)

    def result(self):
        results = self.of_type("execute_result")
        expect(len(results) == 1, "expected one execute_result, got %d: %s" % (len(results), self.describe()))
        return results[0]["data"]

    def error(self):
        errors = self.of_type("error")
        expect(len(errors) == 1, "expected one error message, got %d: %s" % (len(errors), self.describe()))
        return errors[0]

    def describe(self):
        parts = ["status=%s" % self.status]
        for kind, content in self.messages:
            if kind == "stream":
                parts.append("%s: %r" % (content["name"], content["text"][:300]))
            elif kind in ("execute_result", "display_data"):
                parts.append("%s: %s" % (kind, sorted(content["data"])))
            elif kind == "error":
                parts.append("error %s: %s\n%s" % (content["ename"], content["evalue"], "\n".join(content["traceback"])))
        return "; ".join(parts)


class KernelSession:
    """One running kernel and a blocking client connected to it."""

    def __init__(self, kernel_name):
        self.manager = KernelManager(kernel_name=kernel_name)
        self.manager.start_kernel()
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=90)

    def run(self, code, timeout=60):
        messages = []
        started = time.monotonic()
        reply = self.client.execute_interactive(
            code, timeout=timeout, output_hook=lambda msg: messages.append((msg["msg_type"], msg["content"])))
        return Cell(reply, messages, time.monotonic() - started)

    def run_and_interrupt(self, code, marker, interrupt, timeout=20):
        """Start `code`, call `interrupt` once the cell has printed `marker`, and collect its messages."""
        msg_id = self.client.execute(code)
        messages = []
        deadline = time.monotonic() + timeout
        while not any(kind == "stream" and marker in content["text"] for kind, content in messages):
            remaining = deadline - time.monotonic()
            expect(remaining > 0, "the cell did not print %r within %d s" % (marker, timeout))
            msg = self.client.get_iopub_msg(timeout=remaining)
            if msg["parent_header"].get("msg_id") == msg_id:
                messages.append((msg["msg_type"], msg["content"]))
        time.sleep(0.2)
        started = time.monotonic()
        interrupt()
        reply = self.wait_for_reply(msg_id, timeout)
        messages.extend(self.collect_iopub(msg_id, timeout))
        return Cell(reply, messages, time.monotonic() - started)

    def wait_for_reply(self, msg_id, timeout):
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            expect(remaining > 0, "no execute_reply within %d s" % timeout)
            reply = self.client.get_shell_msg(timeout=remaining)
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply

    def collect_iopub(self, msg_id, timeout):
        messages = []
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            expect(remaining > 0, "kernel did not become idle within %d s" % timeout)
            msg = self.client.get_iopub_msg(timeout=remaining)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return messages
            messages.append((msg["msg_type"], msg["content"]))

    def request(self, send, timeout=20):
        msg_id = send()
        return self.wait_for_reply(msg_id, timeout)["content"]

    def close(self):
        try:
            self.client.stop_channels()
        finally:
            self.manager.shutdown_kernel(now=False)


def png_size(data):
    """Return (width, height) of a base64 PNG after checking its signature."""
    raw = base64.b64decode(data)
    expect(raw[:8] == PNG_SIGNATURE, "image/png data does not start with the PNG signature")
    width, height = struct.unpack(">II", raw[16:24])
    return width, height


def expect_value(cell, text):
    expect(cell.status == "ok", "cell failed: " + cell.describe())
    plain = cell.result().get("text/plain")
    expect(plain == text, "expected text/plain %r, got %r" % (text, plain))


# ---- checks on one kernel --------------------------------------------------------------------

def check_value_between_cells(k):
    expect(k.run("int x = 41;").status == "ok", "declaring x failed")
    expect_value(k.run("x + 1"), "42")


def check_multi_snippet_cell(k):
    cell = k.run(
        "import java.util.function.IntUnaryOperator;\n"
        "int square(int v) { return v * v; }\n"
        "record Pair(int a, int b) {}\n"
        "IntUnaryOperator twice = v -> 2 * v;\n"
        "var p = new Pair(3, 4);\n"
        "square(p.a()) + twice.applyAsInt(p.b())")
    expect_value(cell, "17")


def check_default_imports(k):
    expect_value(k.run("new Shape(2, 3).size() + List.of(1, 2).size()"), "8")


def check_buffered_image_png(k):
    cell = k.run("var img = new BufferedImage(8, 6, BufferedImage.TYPE_INT_RGB);\nimg")
    expect(cell.status == "ok", "cell failed: " + cell.describe())
    data = cell.result()
    expect("image/png" in data, "no image/png in the result: %s" % sorted(data))
    expect(png_size(data["image/png"]) == (8, 6), "PNG size is %s, expected (8, 6)" % (png_size(data["image/png"]),))


def check_display_calls_in_order(k):
    cell = k.run('System.out.println("before");\ndisplay(img);\nSystem.out.println("after");')
    expect(cell.status == "ok", "cell failed: " + cell.describe())
    order = []
    for kind, content in cell.messages:
        if kind == "stream":
            order.extend(line for line in content["text"].split("\n") if line)
        elif kind == "display_data":
            expect("image/png" in content["data"], "display(img) sent no image/png: %s" % sorted(content["data"]))
            order.append("<image>")
    expect(order == ["before", "<image>", "after"], "output order is %s" % order)


def check_xchart_png(k):
    cell = k.run(
        'XYChart chart = new XYChartBuilder().width(320).height(200).title("loss").build();\n'
        'chart.addSeries("train", new double[] {1, 2, 3}, new double[] {3, 2, 1});\n'
        "chart")
    expect(cell.status == "ok", "cell failed: " + cell.describe())
    data = cell.result()
    expect("image/png" in data, "no image/png for the chart: %s" % sorted(data))
    expect(png_size(data["image/png"]) == (320, 200), "chart PNG size is %s" % (png_size(data["image/png"]),))


def check_tablesaw_html(k):
    cell = k.run(
        'int[] steps = java.util.stream.IntStream.range(0, 60).toArray();\n'
        'Table metrics = Table.create("metrics", IntColumn.create("step", steps),\n'
        '    StringColumn.create("note", java.util.Collections.nCopies(60, "<b>&")));\n'
        "metrics")
    expect(cell.status == "ok", "cell failed: " + cell.describe())
    data = cell.result()
    html = data.get("text/html", "")
    expect("<table" in html and "<th>step</th>" in html, "no HTML table with a step column: %r" % html[:300])
    expect("&lt;b&gt;&amp;" in html and "<b>&" not in html, "cell text is not escaped: %r" % html[:500])
    expect("10 more rows not shown (60 rows in all)" in html, "no note about the 10 rows left out")
    expect("text/plain" in data and "step" in data["text/plain"], "no text/plain form of the table")


def check_compile_error_keeps_session(k):
    cell = k.run("int y = 1;\nint z = undefinedVar + 1;")
    expect(cell.status == "error", "expected an error reply: " + cell.describe())
    error = cell.error()
    text = "\n".join(error["traceback"])
    expect(error["ename"] == "CellCompilationException", "ename is %r" % error["ename"])
    expect("line 2" in text and "cannot find symbol" in text, "traceback lacks line and message: " + text)
    expect("int z = undefinedVar + 1;" in text and "^^^" in text, "traceback lacks source line or caret: " + text)
    expect_value(k.run("x + y"), "42")


def check_runtime_exception_keeps_session(k):
    cell = k.run("int divide(int a, int b) {\n    return a / b;\n}\nint w = 7;\ndivide(w, 0)")
    expect(cell.status == "error", "expected an error reply: " + cell.describe())
    error = cell.error()
    text = "\n".join(error["traceback"])
    expect(error["evalue"].startswith("java.lang.ArithmeticException: / by zero"), "evalue is %r" % error["evalue"])
    expect("divide(cell [" in text and ", line 2)" in text, "traceback lacks the method frame: " + text)
    expect("jdk.internal.reflect" not in text and "CellExecutionControl" not in text,
           "traceback shows JShell or kernel internals: " + text)
    expect_value(k.run("x + w"), "48")


def check_completion(k):
    reply = k.request(lambda: k.client.complete("NativeTokExc", 12))
    expect(reply["status"] == "ok", "complete_request failed: %s" % reply)
    expect("NativeTokException" in reply["matches"], "matches are %s" % reply["matches"])
    expect(reply["cursor_start"] == 0 and reply["cursor_end"] == 12, "cursor range is %s-%s"
           % (reply["cursor_start"], reply["cursor_end"]))
    code = "int q = 1;\n\"abc\".toUpp"
    reply = k.request(lambda: k.client.complete(code, len(code)))
    expect(any(m.startswith("toUpperCase(") for m in reply["matches"]), "member matches are %s" % reply["matches"])
    expect(reply["cursor_start"] == len(code) - len("toUpp"), "member cursor_start is %s" % reply["cursor_start"])


def check_inspect(k):
    code = "Math.max("
    reply = k.request(lambda: k.client.inspect(code, len(code)))
    expect(reply["status"] == "ok" and reply["found"], "inspect_request found nothing: %s" % reply)
    expect("int Math.max(int a, int b)" in reply["data"]["text/plain"], "inspect text is %r" % reply["data"])


def check_is_complete(k):
    reply = k.request(lambda: k.client.is_complete("for (int i = 0; i < 3; i++) {"))
    expect(reply["status"] == "incomplete", "unfinished loop is %s" % reply)
    reply = k.request(lambda: k.client.is_complete("int done = 1;"))
    expect(reply["status"] == "complete", "finished statement is %s" % reply)


def check_interrupt(k, interrupt, label):
    expect(k.run("long spins = 0;").status == "ok", "declaring spins failed")
    cell = k.run_and_interrupt('System.out.println("loop started");\nwhile (true) { spins++; }',
                               "loop started", interrupt)
    expect(cell.status == "error", "%s: expected an error reply: %s" % (label, cell.describe()))
    expect(cell.error()["ename"] == "CellInterruptedException", "%s: ename is %r" % (label, cell.error()["ename"]))
    expect(cell.seconds < 10, "%s: the loop stopped only after %.1f s" % (label, cell.seconds))
    expect_value(k.run("spins > 0 && x == 41"), "true")


def check_huge_output_capped(k):
    cell = k.run('for (int i = 0; i < 200_000; i++) System.out.println("line " + i + " " + "x".repeat(45));',
                 timeout=60)
    expect(cell.status == "ok", "cell failed: " + cell.describe()[:2000])
    text = cell.stream_text()
    expect(len(text) < 1_200_000, "received %d characters of the 10 MB printed" % len(text))
    expect("[Output truncated" in text, "no truncation notice in the output")
    expect("MiB of stdout dropped]" in text, "no summary of the dropped output")
    expect(len(cell.of_type("stream")) < 100, "output came in %d messages" % len(cell.of_type("stream")))
    expect(cell.seconds < 30, "the cell took %.1f s" % cell.seconds)


def check_out_of_memory_keeps_session(k):
    cell = k.run("{ List<long[]> hog = new ArrayList<>(); while (true) hog.add(new long[1 << 20]); }", timeout=120)
    expect(cell.status == "error", "expected an error reply: " + cell.describe())
    expect("java.lang.OutOfMemoryError" in cell.error()["evalue"], "evalue is %r" % cell.error()["evalue"])
    expect_value(k.run("x"), "41")
    expect_value(k.run("new long[1 << 20].length"), "1048576")


def run_kernel_checks(kernel_name, report):
    session = KernelSession(kernel_name)
    try:
        checks = [
            ("value carried between cells", check_value_between_cells),
            ("cell with import, method, record and expression", check_multi_snippet_cell),
            ("default imports", check_default_imports),
            ("BufferedImage shown as PNG", check_buffered_image_png),
            ("display() output in order with stdout", check_display_calls_in_order),
            ("XChart chart shown as PNG", check_xchart_png),
            ("Tablesaw table shown as HTML", check_tablesaw_html),
            ("compile error keeps the session", check_compile_error_keeps_session),
            ("runtime exception keeps the session", check_runtime_exception_keeps_session),
            ("completion", check_completion),
            ("inspect", check_inspect),
            ("is_complete", check_is_complete),
            ("interrupt_request stops an endless loop",
             lambda k: check_interrupt(k, k.manager.interrupt_kernel, "interrupt_request")),
            ("SIGINT stops an endless loop",
             lambda k: check_interrupt(k, lambda: k.manager.signal_kernel(signal.SIGINT), "SIGINT")),
            ("huge output capped", check_huge_output_capped),
            ("OutOfMemoryError keeps the session", check_out_of_memory_keeps_session),
        ]
        for name, check in checks:
            report(name, lambda: check(session))
    finally:
        session.close()


# ---- notebook run --------------------------------------------------------------------------

def check_nbconvert(jupyter, kernel_name, notebook, work_dir):
    command = [jupyter, "nbconvert", "--to", "notebook", "--execute", notebook,
               "--ExecutePreprocessor.kernel_name=" + kernel_name,
               "--ExecutePreprocessor.timeout=120",
               "--output-dir", work_dir, "--output", "executed"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=240)
    expect(completed.returncode == 0, "nbconvert failed with exit code %d:\n%s%s"
           % (completed.returncode, completed.stdout, completed.stderr))
    with open(work_dir + "/executed.ipynb", encoding="utf-8") as file:
        executed = json.load(file)
    outputs = [o for cell in executed["cells"] if cell["cell_type"] == "code" for o in cell.get("outputs", [])]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    expect(len(images) == 1, "executed notebook has %d image outputs: %s" % (len(images), outputs))
    expect(png_size(images[0]["data"]["image/png"]) == (6, 6), "notebook image has the wrong size")
    text = "".join("".join(o["text"]) if isinstance(o["text"], list) else o["text"]
                   for o in outputs if o.get("output_type") == "stream")
    expect("square of n: 36" in text, "notebook printed %r" % text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernel-name", required=True)
    parser.add_argument("--notebook", required=True)
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--jupyter", default="/usr/bin/jupyter")
    args = parser.parse_args()

    failures = []

    def report(name, check):
        started = time.monotonic()
        try:
            check()
            print("PASS %-50s %.1f s" % (name, time.monotonic() - started), flush=True)
        except CheckFailed as e:
            failures.append(name)
            print("FAIL %s: %s" % (name, e), flush=True)
        except Exception:  # a broken kernel connection fails the check, and the script goes on
            failures.append(name)
            print("FAIL %s: unexpected error\n%s" % (name, traceback.format_exc()), flush=True)

    report("kernel starts and answers", lambda: run_kernel_checks(args.kernel_name, report))
    report("nbconvert executes a notebook",
           lambda: check_nbconvert(args.jupyter, args.kernel_name, args.notebook, args.work_dir))

    print("%d checks failed" % len(failures) if failures else "all checks passed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
